// loadgen: publishes Celery monitoring traffic on a Redis broker (PUBLISH on
// /0.celeryev/<routing key>) at a fixed event rate or flat out, and prints
// what it sent as one JSON line. Bounded by --tasks and --seconds.
//
//   loadgen --port P [--rate EV_PER_S] [--tasks N] [--seconds S]
//           [--workers W] [--multi K] [--fail-every F]
// --rate 0 = flat out; --multi 0 = one event per message (task.<state>),
// K > 0 = worker-side events batched K per task.multi message.

#include <hiredis/hiredis.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/uuid.hpp"
#include "loadgen_messages.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  int port = 6379;
  double rate = 0;
  long tasks = 100000;
  double seconds = 60;
  int workers = 4;
  int multi = 0;
  int fail_every = 10;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    const char* value = argv[i + 1];
    if (key == "--port") o.port = std::atoi(value);
    else if (key == "--rate") o.rate = std::atof(value);
    else if (key == "--tasks") o.tasks = std::atol(value);
    else if (key == "--seconds") o.seconds = std::atof(value);
    else if (key == "--workers") o.workers = std::max(1, std::atoi(value));
    else if (key == "--multi") o.multi = std::atoi(value);
    else if (key == "--fail-every") o.fail_every = std::max(1, std::atoi(value));
  }
  return o;
}

double wall_now() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

class Generator {
 public:
  Generator(redisContext* redis, const Options& options) : redis_(redis), options_(options) {
    for (int w = 0; w < options.workers; ++w) {
      std::string host = "w";  // appended, not "w" + …: g++ 12 -O3 raises a false -Wrestrict
      host += std::to_string(w);
      host += "@bench";
      hosts_.push_back(std::move(host));
    }
    lists_.resize(hosts_.size());
  }

  void heartbeats() {
    for (std::size_t w = 0; w < hosts_.size(); ++w) {
      body_.clear();
      sluice::bench::append_heartbeat_body(body_, hosts_[w], 9000 + static_cast<int>(w), ++clock_, wall_now(), 1,
                                           processed_);
      publish(hosts_[w], "worker.heartbeat", body_, 1, "worker-heartbeat");
    }
  }

  void task(long index) {
    using namespace sluice::bench;
    const auto uuid = sluice::random_uuid4(rng_);
    const auto w = static_cast<std::size_t>(index) % hosts_.size();
    const auto& host = hosts_[w];
    const double now = wall_now();
    body_.clear();
    append_sent_body(body_, uuid, ++clock_, now);
    publish("gen8692@vm", "task.sent", body_, 1, "task-sent");
    const bool fails = (index + 1) % options_.fail_every == 0;
    append_received_body(worker_body(w), host, uuid, ++clock_, now);
    worker_event(w, "task.received", "task-received");
    append_started_body(worker_body(w), host, uuid, ++clock_, now);
    worker_event(w, "task.started", "task-started");
    if (fails) {
      append_failed_body(worker_body(w), host, uuid, ++clock_, now);
      worker_event(w, "task.failed", "task-failed");
    } else {
      append_succeeded_body(worker_body(w), host, uuid, ++clock_, now);
      worker_event(w, "task.succeeded", "task-succeeded");
    }
    ++processed_;
  }

  void finish() {
    for (std::size_t w = 0; w < lists_.size(); ++w) flush_worker(w);
    drain();
  }

  std::uint64_t events() const { return events_; }

  void print(double elapsed) const {
    std::printf("{\"messages\": %llu, \"events\": %llu, \"seconds\": %.3f, \"errors\": %llu",
                static_cast<unsigned long long>(messages_), static_cast<unsigned long long>(events_),
                elapsed, static_cast<unsigned long long>(errors_));
    for (const auto& [type, count] : counts_)
      std::printf(", \"%s\": %llu", type.c_str(), static_cast<unsigned long long>(count));
    std::printf("}\n");
  }

 private:
  // A worker's events go one per message, or into its open task.multi list.
  struct WorkerList {
    std::string text;  // "[e1, e2, …" while open
    int events = 0;
  };

  // Where the next event body of worker `w` is written.
  std::string& worker_body(std::size_t w) {
    if (options_.multi <= 0) {
      body_.clear();
      return body_;
    }
    auto& list = lists_[w];
    list.text += list.events == 0 ? "[" : ", ";
    return list.text;
  }

  void worker_event(std::size_t w, const char* routing_key, const char* type) {
    if (options_.multi <= 0) {
      publish(hosts_[w], routing_key, body_, 1, type);
      return;
    }
    ++counts_[type];
    if (++lists_[w].events >= options_.multi) flush_worker(w);
  }

  void flush_worker(std::size_t w) {
    auto& list = lists_[w];
    if (list.events == 0) return;
    list.text += ']';
    publish(hosts_[w], "task.multi", list.text, static_cast<std::size_t>(list.events), nullptr);
    list.text.clear();
    list.events = 0;
  }

  void publish(std::string_view host, std::string_view routing_key, std::string_view body, std::size_t events,
               const char* type) {
    channel_.assign("/0.celeryev/");
    channel_ += routing_key;
    payload_.clear();
    sluice::bench::append_envelope(payload_, body, host, routing_key, sluice::random_uuid4(rng_));
    sluice::bench::append_publish_command(commands_, channel_, payload_);
    ++messages_;
    events_ += events;
    if (type != nullptr) ++counts_[type];
    if (++pending_ >= 256) drain();
  }

  // Hands the pending commands to hiredis in one piece and reads their replies.
  void drain() {
    if (pending_ == 0) return;
    redisAppendFormattedCommand(redis_, commands_.data(), commands_.size());
    commands_.clear();
    for (; pending_ > 0; --pending_) {
      void* reply = nullptr;
      if (redisGetReply(redis_, &reply) != REDIS_OK) {
        ++errors_;
        pending_ = 0;
        return;
      }
      freeReplyObject(reply);
    }
  }

  redisContext* redis_;
  Options options_;
  std::mt19937_64 rng_{std::random_device{}()};
  std::vector<std::string> hosts_;
  std::vector<WorkerList> lists_;
  std::string body_, channel_, payload_, commands_;  // reused: no allocation per message
  std::map<std::string, std::uint64_t> counts_;
  std::uint64_t clock_ = 0, processed_ = 0, messages_ = 0, events_ = 0, errors_ = 0;
  int pending_ = 0;
};

// Keeps the offered rate: sleeps until `events` are due, in 1 ms steps.
void pace(const Options& o, Clock::time_point start, std::uint64_t events) {
  if (o.rate <= 0) return;
  const auto due = start + std::chrono::duration_cast<Clock::duration>(
                               std::chrono::duration<double>(static_cast<double>(events) / o.rate));
  if (Clock::now() < due) std::this_thread::sleep_until(due);
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  redisContext* redis = redisConnect("127.0.0.1", o.port);
  if (redis == nullptr || redis->err != 0) {
    std::fprintf(stderr, "loadgen: cannot connect to 127.0.0.1:%d\n", o.port);
    return 1;
  }
  Generator gen(redis, o);
  const auto start = Clock::now();
  const auto stop = start + std::chrono::duration_cast<Clock::duration>(
                                std::chrono::duration<double>(o.seconds));
  auto next_heartbeat = start;
  for (long i = 0; Clock::now() < stop && (o.tasks <= 0 || i < o.tasks); ++i) {
    if (Clock::now() >= next_heartbeat) {
      gen.heartbeats();
      next_heartbeat += std::chrono::seconds(2);
    }
    if (o.tasks != 0) gen.task(i);
    else std::this_thread::sleep_until(std::min(next_heartbeat, stop));
    pace(o, start, gen.events());
  }
  gen.finish();
  gen.print(std::chrono::duration<double>(Clock::now() - start).count());
  redisFree(redis);
  return 0;
}
