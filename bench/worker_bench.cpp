// worker_bench: CPU per message of the track stage as the pipeline drives it
// (Tracker::on_event, then next_deadline() to arm the timer, and on_tick()
// whenever that deadline passes), with many known workers.
//
//   build/bench/worker_bench [workers ...]   (default: 10 5000)
//
// Every known worker heartbeats every 2 s of simulated time, 10 000 messages
// per simulated second in all: heartbeats, and task lifecycles
// (received/started/succeeded) spread over the workers. Times are CPU time of
// the benchmark thread, per message.

#include <algorithm>
#include <chrono>
#include <optional>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "decode/celery_event.hpp"
#include "track/tracker.hpp"

namespace {

using sluice::decode::CeleryEvent;
using sluice::track::Clock;
using sluice::track::IngestEvent;
using sluice::track::Tracker;
using sluice::track::TrackerOptions;

double cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

constexpr double kStart = 1795498138.0;
constexpr int kMessagesPerSecond = 10'000;

CeleryEvent heartbeat(const std::string& node, double ts, long long processed) {
  CeleryEvent e;
  e.type = "worker-heartbeat";
  e.hostname = node;
  e.timestamp = ts;
  e.pid = 4242;
  e.freq = 2.0;
  e.active = 0;
  e.processed = processed;
  e.loadavg = std::vector<double>{0.1, 0.1, 0.1};
  return e;
}

CeleryEvent task_event(const char* type, const std::string& node, const std::string& uuid, double ts) {
  CeleryEvent e;
  e.type = type;
  e.hostname = node;
  e.uuid = uuid;
  e.timestamp = ts;
  e.pid = 4242;
  return e;
}

// `seconds` of simulated traffic; returns CPU seconds per message.
double run(std::size_t workers, int seconds) {
  TrackerOptions options;
  options.max_workers = std::max<std::size_t>(workers, 5000);
  Tracker tracker(options);
  std::vector<std::string> nodes;
  for (std::size_t i = 0; i < workers; ++i) nodes.push_back("celery@host-" + std::to_string(i));
  std::vector<IngestEvent> out;
  std::vector<CeleryEvent> events;
  std::optional<Clock::time_point> armed;
  std::size_t messages = 0;
  std::size_t next_worker = 0;
  std::size_t task = 0;
  double cpu = 0;
  // Every worker known first (untimed).
  for (const auto& node : nodes) tracker.on_event(heartbeat(node, kStart, 0), Clock::time_point{}, out);
  for (int ms = 0; ms < seconds * 1000; ++ms) {
    // One simulated millisecond: this share of heartbeats, the rest task events (built untimed).
    events.clear();
    const double ts = kStart + ms / 1000.0;
    // Each worker once every 2 s.
    const std::size_t beats = (static_cast<std::size_t>(ms) + 1) * workers / 2000 - static_cast<std::size_t>(ms) * workers / 2000;
    for (std::size_t b = 0; b < beats; ++b) {
      events.push_back(heartbeat(nodes[next_worker], ts, static_cast<long long>(task)));
      next_worker = (next_worker + 1) % workers;
    }
    while (events.size() < kMessagesPerSecond / 1000) {
      const std::string uuid = "00000000-0000-4000-8000-" + std::to_string(100000000000ULL + task);
      const std::string& node = nodes[task % workers];
      for (const char* type : {"task-received", "task-started", "task-succeeded"}) {
        events.push_back(task_event(type, node, uuid, ts));
      }
      ++task;
    }
    const Clock::time_point now = Clock::time_point{} + std::chrono::milliseconds(ms);
    const double start = cpu_seconds();
    for (const auto& e : events) {
      out.clear();
      tracker.on_event(e, now, out);
      // Pipeline::arm_tick after every message; the timer fires at the deadline.
      auto deadline = tracker.next_deadline();
      if (deadline && (!armed || *deadline < *armed)) armed = deadline;
    }
    if (armed && *armed <= now) {
      armed.reset();
      out.clear();
      tracker.on_tick(now, out);
      armed = tracker.next_deadline();
    }
    cpu += cpu_seconds() - start;
    messages += events.size();
  }
  return cpu / static_cast<double>(messages);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::size_t> counts;
  for (int i = 1; i < argc; ++i) counts.push_back(std::strtoull(argv[i], nullptr, 10));
  if (counts.empty()) counts = {10, 5000};
  for (std::size_t workers : counts) {
    const double per_message = run(workers, 10);
    std::printf("%6zu known workers: %8.3f us CPU per message\n", workers, per_message * 1e6);
  }
  return 0;
}
