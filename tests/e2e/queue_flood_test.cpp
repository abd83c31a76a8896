// Queue names are hostile input: anyone who can publish on the broker names
// a queue in a task-sent event. The sluiced binary, against a private
// redis-server and the dry-run sink, receives 100 000 task-sent events with
// distinct made-up queue names: the queues it polls stay within
// SLUICE_MAX_QUEUES, the names it refuses are counted, /metrics stays under
// 1 MB, no made-up name costs a queue_snapshot, and a real worker's and
// task's events and a real queue's depth keep flowing.

#include <gtest/gtest.h>

#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "support/blocking_redis.hpp"
#include "support/http_probe.hpp"
#include "support/prometheus_text.hpp"
#include "support/redis_server.hpp"
#include "support/sluiced_daemon.hpp"
#include "support/wait_until.hpp"
#include "unit/decode/payloads.hpp"

namespace sluice::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr int kHostileNames = 100'000;
constexpr double kMaxQueues = 1000;  // the default
constexpr const char* kTask = "5b0c1c7e-8f1d-4e2a-9b3c-7d6e5f4a3b21";

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void publish_event(BlockingRedis& client, const json& event) {
  std::string routing_key = event["type"];
  routing_key[routing_key.find('-')] = '.';
  auto spec = decode::testing::envelope_of(event.dump());
  spec.routing_key = routing_key;
  client.publish("/0.celeryev/" + routing_key, decode::testing::kombu_payload(spec));
}

json task_event(const std::string& type, const std::string& uuid, const std::string& queue = "") {
  json event = {{"type", type}, {"uuid", uuid}, {"hostname", "w1@flood"}, {"timestamp", now_seconds()},
                {"utcoffset", 0}, {"pid", 99}, {"clock", 2}};
  if (type == "task-sent") {
    event["name"] = "flood.add";
    event["queue"] = queue;
    event["hostname"] = "gen1@flood";
  }
  return event;
}

json heartbeat(long long processed) {
  return {{"type", "worker-heartbeat"}, {"hostname", "w1@flood"}, {"timestamp", now_seconds()},
          {"utcoffset", 0},             {"pid", 4242},            {"clock", 1},
          {"freq", 2.0},                {"active", 0},            {"processed", processed}};
}

// A real queue (bound to the default exchange, three messages waiting),
// then sluiced polling queues every 100 ms: many polls during the flood.
class FloodedDaemon {
 public:
  FloodedDaemon() : redis(), daemon(prepare(redis), {{"SLUICE_QUEUE_POLL_INTERVAL", "100ms"}}) {}

  std::string metrics_text() const {
    const HttpReply reply = http_get(daemon.health_port(), "/metrics");
    EXPECT_EQ(reply.status, 200);
    return reply.body;
  }
  double metric(const std::string& name, const PromLabels& labels = {}) const {
    return daemon.metrics().value(name, labels).value_or(-1);
  }

  // The dry-run sink's JSON lines (in the daemon's log) of one type.
  std::vector<json> sent(const std::string& type) const {
    std::vector<json> out;
    std::istringstream lines(daemon.log());
    for (std::string line; std::getline(lines, line);) {
      if (line.empty() || line.front() != '{') continue;
      json event = json::parse(line, nullptr, false);
      if (event.is_object() && event.value("type", "") == type) out.push_back(std::move(event));
    }
    return out;
  }

  RedisServer redis;
  SluicedDaemon daemon;

 private:
  static std::string prepare(RedisServer& server) {
    BlockingRedis setup("127.0.0.1", server.port());
    setup.command({"SADD", "_kombu.binding.celery", std::string("celery\x06\x16\x06\x16") + "celery"});
    for (int i = 0; i < 3; ++i) setup.command({"LPUSH", "celery", "{}"});
    return "redis://127.0.0.1:" + std::to_string(server.port()) + "/0";
  }
};

TEST(QueueFlood, HundredThousandMadeUpQueueNamesStayBoundedAndCounted) {
  FloodedDaemon d;
  ASSERT_TRUE(d.daemon.started()) << d.daemon.log();
  BlockingRedis publisher("127.0.0.1", d.redis.port());
  ASSERT_TRUE(wait_until([&] { return publisher.pattern_subscribers() > 0; }, 20s));

  double most_tracked = 0;
  long long processed = 0;
  for (int i = 0; i < kHostileNames; ++i) {
    publish_event(publisher, task_event("task-sent", "f" + std::to_string(i), "made-up-" + std::to_string(i)));
    if (i % 10'000 == 0) {
      // The real worker's heartbeats and one real task go on meanwhile.
      publish_event(publisher, heartbeat(processed++));
      most_tracked = std::max(most_tracked, d.metric("sluiced_queues_tracked"));
    }
    if (i == kHostileNames / 2) {
      publish_event(publisher, task_event("task-sent", kTask, "celery"));
      for (const char* type : {"task-received", "task-started", "task-succeeded"}) {
        publish_event(publisher, task_event(type, kTask));
      }
    }
  }
  // Every hostile event was read and handled (nothing dropped on the way).
  ASSERT_TRUE(wait_until([&] {
    return d.metric("sluiced_events_received_total", {{"type", "task-sent"}}) >= kHostileNames + 1;
  }, 120s)) << d.metric("sluiced_events_received_total", {{"type", "task-sent"}});

  const auto started = std::chrono::steady_clock::now();
  const std::string text = d.metrics_text();
  const auto render = std::chrono::steady_clock::now() - started;
  std::cout << "/metrics after the flood: " << text.size() << " bytes in "
            << std::chrono::duration<double, std::milli>(render).count() << " ms\n";
  EXPECT_LT(text.size(), 1'000'000u);
  auto parsed = parse_prometheus_text(text);
  ASSERT_TRUE(parsed) << parsed.error();
  EXPECT_EQ(lint_sluiced(*parsed), std::vector<std::string>{});

  most_tracked = std::max(most_tracked, parsed->value("sluiced_queues_tracked").value_or(-1));
  EXPECT_LE(most_tracked, kMaxQueues);
  const double refused = parsed->value("sluiced_queues_refused_total", {{"reason", "limit"}}).value_or(0);
  EXPECT_GT(refused, 0);
  EXPECT_LE(refused, kHostileNames - kMaxQueues + 1);  // at least the first 999 fitted (celery is bound)
  EXPECT_EQ(parsed->value("sluiced_redis_reconnects_total").value_or(-1), 0);

  // The real task, worker and queue made it; no made-up name cost an event.
  ASSERT_TRUE(wait_until([&] {
    for (const auto& job : d.sent("job_state_change")) {
      if (job["job"]["externalId"] == kTask && job["job"]["state"] == "completed") return true;
    }
    return false;
  }, 30s));
  EXPECT_FALSE(d.sent("worker_state_change").empty());
  const auto snapshots = d.sent("queue_snapshot");
  ASSERT_FALSE(snapshots.empty());
  for (const auto& snapshot : snapshots) {
    EXPECT_EQ(snapshot["queue"]["name"], "celery");
    EXPECT_EQ(snapshot["queue"]["depth"], 3);
  }
}

}  // namespace
}  // namespace sluice::testing
