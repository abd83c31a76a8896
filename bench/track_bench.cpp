// track_bench: throughput of the track stage alone and of decode + track,
// and the heap bytes one tracked task costs.
//
//   build/bench/track_bench [tasks]      (default 1 000 000 tasks)
//   build/bench/track_bench snapshot     (the table snapshot of a full table only)
//
// Each task is the lifecycle of a solo worker: a task-sent message, then one
// task.multi list [received, started, succeeded]; a heartbeat every 50 tasks.
// Events are made ahead of time in blocks (untimed) so only the stage is timed;
// times are CPU seconds of the benchmark thread (one core).

#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>
#include <string>
#include <vector>

#include "common/base64.hpp"
#include "common/uuid.hpp"
#include "decode/celery_event.hpp"
#include "decode/decode_message.hpp"
#include "deliver/ingest_json.hpp"
#include "thread_cpu.hpp"
#include "track/table_snapshot.hpp"
#include "track/tracker.hpp"

namespace {

using sluice::decode::CeleryEvent;
using sluice::track::Clock;
using sluice::track::IngestEvent;
using sluice::track::Tracker;
using sluice::track::TrackerOptions;
using Seconds = std::chrono::duration<double>;

constexpr std::size_t kBlockTasks = 10'000;
constexpr double kStart = 1795498138.0;

const char* const kNames[] = {"app.tasks.add",      "app.tasks.send_email", "app.billing.charge_card",
                              "app.reports.render", "app.media.thumbnail",  "app.search.reindex"};
const char* const kWorkers[] = {"celery@worker-1", "celery@worker-2", "celery@worker-3", "celery@worker-4"};

struct Task {
  std::string uuid;
  const char* name;
  const char* worker;
  double ts;
};

std::vector<Task> make_tasks(std::size_t first, std::size_t count, std::mt19937_64& rng) {
  std::vector<Task> tasks;
  tasks.reserve(count);
  for (std::size_t i = first; i < first + count; ++i) {
    tasks.push_back(
        {sluice::random_uuid4(rng), kNames[i % 6], kWorkers[i % 4], kStart + static_cast<double>(i) * 0.001});
  }
  return tasks;
}

CeleryEvent task_event(const char* type, const Task& task, double offset) {
  CeleryEvent e;
  e.type = type;
  e.uuid = task.uuid;
  e.hostname = task.worker;
  e.timestamp = task.ts + offset;
  e.pid = 8250;
  e.clock = 1;
  return e;
}

// The decoded form of one task's events, as the decoder would give them.
void append_events(const Task& task, std::size_t index, std::vector<CeleryEvent>& out) {
  CeleryEvent sent = task_event("task-sent", task, 0);
  sent.hostname = "gen8326@client";
  sent.name = task.name;
  sent.retries = 0;
  sent.root_id = task.uuid;
  sent.queue = "celery";
  sent.exchange = "";
  sent.routing_key = "celery";
  CeleryEvent received = task_event("task-received", task, 0.0002);
  received.name = task.name;
  received.retries = 0;
  received.root_id = task.uuid;
  CeleryEvent succeeded = task_event("task-succeeded", task, 0.0009);
  succeeded.runtime = 0.0005;
  out.push_back(std::move(sent));
  out.push_back(std::move(received));
  out.push_back(task_event("task-started", task, 0.0003));
  out.push_back(std::move(succeeded));
  if (index % 50 == 0) {
    CeleryEvent heartbeat;
    heartbeat.type = "worker-heartbeat";
    heartbeat.hostname = task.worker;
    heartbeat.timestamp = task.ts;
    heartbeat.freq = 2.0;
    heartbeat.active = 1;
    heartbeat.processed = static_cast<long long>(index);
    heartbeat.loadavg = std::vector<double>{0.12, 0.11, 0.04};
    out.push_back(std::move(heartbeat));
  }
}

Clock::time_point clock_at(double ts) {
  return Clock::time_point{} + std::chrono::duration_cast<Clock::duration>(Seconds(ts - kStart));
}

struct Result {
  std::size_t events = 0;
  std::size_t emitted = 0;
  double seconds = 0;
};

void report(const char* what, const Result& r) {
  std::printf("%-34s %9zu events  %7.3f CPU s  %10.0f events/s", what, r.events, r.seconds,
              static_cast<double>(r.events) / r.seconds);
  if (r.emitted > 0) std::printf("  (%zu ingest events out)", r.emitted);
  std::printf("\n");
}

// Track only: the CeleryEvents of each block are built untimed first.
Result bench_track(std::size_t tasks) {
  Tracker tracker(TrackerOptions{});
  std::mt19937_64 rng(1);
  std::vector<IngestEvent> out;
  std::vector<CeleryEvent> events;
  Result result;
  for (std::size_t first = 0; first < tasks; first += kBlockTasks) {
    events.clear();
    const auto block = make_tasks(first, kBlockTasks, rng);
    for (std::size_t i = 0; i < block.size(); ++i) append_events(block[i], first + i, events);
    const double start = sluice::bench::thread_cpu_seconds();
    for (const auto& e : events) {
      out.clear();
      tracker.on_event(e, clock_at(e.timestamp), out);
      result.emitted += out.size();
    }
    result.seconds += sluice::bench::thread_cpu_seconds() - start;
    result.events += events.size();
  }
  return result;
}

// Serialization of what track emits (for the delivery stage's budget).
Result bench_serialize(std::size_t tasks) {
  Tracker tracker(TrackerOptions{});
  std::mt19937_64 rng(2);
  std::vector<IngestEvent> out;
  std::vector<CeleryEvent> events;
  const auto block = make_tasks(0, std::min(tasks, kBlockTasks), rng);
  for (std::size_t i = 0; i < block.size(); ++i) append_events(block[i], i, events);
  for (const auto& e : events) tracker.on_event(e, clock_at(e.timestamp), out);
  const sluice::deliver::IngestJsonContext context{"550e8400-e29b-41d4-a716-446655440000"};
  std::string body;
  Result result;
  const double start = sluice::bench::thread_cpu_seconds();
  for (int round = 0; round < 20; ++round) {
    for (const auto& e : out) {
      body.clear();
      sluice::deliver::append_ingest_json(body, e, context);
    }
  }
  result.seconds = sluice::bench::thread_cpu_seconds() - start;
  result.events = out.size() * 20;
  return result;
}

std::string json_event_fields(const Task& task, const char* type, double offset, const std::string& extra) {
  char head[256];
  std::snprintf(head, sizeof head, R"({"hostname": "%s", "utcoffset": 0, "pid": 8250, "clock": 7, "uuid": "%s", )",
                task.worker, task.uuid.c_str());
  char tail[96];
  std::snprintf(tail, sizeof tail, R"("timestamp": %.7f, "type": "%s"})", task.ts + offset, type);
  return head + extra + tail;
}

std::string envelope(const std::string& body, const char* host, const char* routing_key) {
  return R"({"body": ")" + sluice::base64_encode(body) +
         R"(", "content-encoding": "utf-8", "content-type": "application/json", "headers": {"hostname": ")" + host +
         R"("}, "properties": {"delivery_mode": 1, "delivery_info": {"exchange": "celeryev", "routing_key": ")" +
         routing_key +
         R"("}, "priority": 0, "body_encoding": "base64", "delivery_tag": "acad5719-bb19-4452-8315-593ced31ee18"}})";
}

// The same lifecycle as kombu payloads, byte for byte in Celery 5.2's style.
void append_payloads(const Task& task, std::vector<std::string>& out) {
  const std::string message = R"("root_id": ")" + task.uuid + R"(", "parent_id": null, "name": ")" + task.name +
                              R"x(", "args": "(2, 3)", "kwargs": "{}", "retries": 0, "eta": null, "expires": null, )x";
  std::string sent = json_event_fields(task, "task-sent", 0,
                                       message + R"("queue": "celery", "exchange": "", "routing_key": "celery", )");
  sent.replace(sent.find(task.worker), std::string(task.worker).size(), "gen8326@client");
  out.push_back(envelope(sent, "gen8326@client", "task.sent"));
  const std::string multi = "[" + json_event_fields(task, "task-received", 0.0002, message) + ", " +
                            json_event_fields(task, "task-started", 0.0003, "") + ", " +
                            json_event_fields(task, "task-succeeded", 0.0009, R"("result": "5", "runtime": 0.0005, )") +
                            "]";
  out.push_back(envelope(multi, task.worker, "task.multi"));
}

Result bench_decode_track(std::size_t tasks) {
  Tracker tracker(TrackerOptions{});
  std::mt19937_64 rng(3);
  const sluice::decode::DecodeLimits limits;
  std::vector<IngestEvent> out;
  std::vector<std::string> payloads;
  Result result;
  for (std::size_t first = 0; first < tasks; first += kBlockTasks) {
    payloads.clear();
    for (const auto& task : make_tasks(first, kBlockTasks, rng)) append_payloads(task, payloads);
    const double start = sluice::bench::thread_cpu_seconds();
    for (const auto& payload : payloads) {
      auto decoded = sluice::decode::decode_message(payload, limits);
      if (!decoded) continue;
      for (const auto& e : decoded->events) {
        out.clear();
        tracker.on_event(e, clock_at(e.timestamp), out);
        result.emitted += out.size();
        ++result.events;
      }
    }
    result.seconds += sluice::bench::thread_cpu_seconds() - start;
  }
  return result;
}

// Heap bytes per tracked task: fill a table as large as the task count with
// distinct tasks (each with name, queue, exchange, routing key, root id).
void bench_memory(std::size_t tasks) {
  TrackerOptions options;
  options.task_table_size = tasks;
  std::mt19937_64 rng(4);
  malloc_trim(0);
  const std::size_t before = mallinfo2().uordblks;
  double fill_seconds = 0;
  {
    Tracker tracker(options);
    std::vector<IngestEvent> out;
    std::vector<CeleryEvent> events;
    for (std::size_t first = 0; first < tasks; first += kBlockTasks) {
      events.clear();
      const auto block = make_tasks(first, std::min(kBlockTasks, tasks - first), rng);
      for (std::size_t i = 0; i < block.size(); ++i) append_events(block[i], first + i, events);
      const double start = sluice::bench::thread_cpu_seconds();
      for (const auto& e : events) {
        out.clear();
        tracker.on_event(e, clock_at(e.timestamp), out);
      }
      fill_seconds += sluice::bench::thread_cpu_seconds() - start;
    }
    std::vector<CeleryEvent>().swap(events);
    std::vector<IngestEvent>().swap(out);
    const std::size_t after = mallinfo2().uordblks;
    std::printf("memory: %zu tracked tasks, %zu bytes of heap, %.1f bytes per tracked task (fill %.2f s)\n",
                tracker.tracked_tasks(), after - before,
                static_cast<double>(after - before) / static_cast<double>(tracker.tracked_tasks()), fill_seconds);
  }
}

// The table snapshot of a full default table (100 000 tasks): CPU time of
// encoding (on the reading thread) and of restoring, and its size. Worst
// case: every job in flight (sent, received, started); then the usual
// case, every job over (none is saved, the walk remains).
void bench_snapshot() {
  constexpr std::size_t kTable = 100'000;
  constexpr int kRounds = 9;
  const std::string connection = "0b7e3f0c-4d7a-4f55-9a43-5c2e1f6d8a90";
  for (const bool finished : {false, true}) {
    TrackerOptions options;
    options.task_table_size = kTable;
    Tracker tracker(options);
    std::mt19937_64 rng(5);
    std::vector<CeleryEvent> events;
    std::vector<IngestEvent> out;
    for (std::size_t first = 0; first < kTable; first += kBlockTasks) {
      events.clear();
      const auto block = make_tasks(first, kBlockTasks, rng);
      for (std::size_t i = 0; i < block.size(); ++i) append_events(block[i], first + i, events);
      for (const auto& e : events) {
        if (!finished && e.type == "task-succeeded") continue;
        out.clear();
        tracker.on_event(e, clock_at(e.timestamp), out);
      }
    }
    const sluice::track::SnapshotTime time{clock_at(kStart + 100), 1'795'498'238'000};
    std::vector<double> encode_ms;
    double seal_ms = 0;
    std::string bytes;
    for (int round = 0; round < kRounds; ++round) {
      const double start = sluice::bench::thread_cpu_seconds();
      bytes = sluice::track::encode_tables_unsealed(tracker, connection, time);
      encode_ms.push_back((sluice::bench::thread_cpu_seconds() - start) * 1000);
      const double seal_start = sluice::bench::thread_cpu_seconds();
      sluice::track::seal_tables(bytes);
      seal_ms = (sluice::bench::thread_cpu_seconds() - seal_start) * 1000;
    }
    std::sort(encode_ms.begin(), encode_ms.end());
    Tracker restored(options);
    const double start = sluice::bench::thread_cpu_seconds();
    const auto result = sluice::track::restore_tables(bytes, {connection}, time, restored);
    const double restore_ms = (sluice::bench::thread_cpu_seconds() - start) * 1000;
    std::printf("snapshot: %zu tasks %s: encode %.2f ms (median of %d, max %.2f), checksum %.2f ms, %zu bytes (%zu tasks saved), "
                "restore %.1f ms\n",
                tracker.tracked_tasks(), finished ? "all over" : "all in flight", encode_ms[kRounds / 2], kRounds,
                encode_ms.back(), seal_ms, bytes.size(), result ? result->tasks : 0, restore_ms);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "snapshot") {
    bench_snapshot();
    return 0;
  }
  const std::size_t tasks = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1'000'000;
  if (tasks < kBlockTasks || tasks % kBlockTasks != 0) {
    std::fprintf(stderr, "tasks must be a multiple of %zu\n", kBlockTasks);
    return 2;
  }
  report("track (CeleryEvent -> IngestEvent)", bench_track(tasks));
  report("decode + track (payload -> Ingest)", bench_decode_track(tasks));
  report("serialize (IngestEvent -> JSON)", bench_serialize(tasks));
  bench_memory(tasks);
  bench_snapshot();
  return 0;
}
