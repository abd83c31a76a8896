// The sluiced binary against a private redis-server, with the dry-run sink
// and events published by the test: /health follows Redis (200, 503 while
// it is stopped, 200 again once it is back), /metrics is valid Prometheus
// text whose counters move as events flow, and diagnostics show in /health
// as warnings (never as a 503), in sluiced_diagnostic_active and in the log.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <nlohmann/json.hpp>

#include "support/blocking_redis.hpp"
#include "support/celery_events.hpp"
#include "support/child_process.hpp"
#include "support/http_probe.hpp"
#include "support/prometheus_text.hpp"
#include "support/redis_server.hpp"
#include "support/sluiced_process.hpp"
#include "support/temp_dir.hpp"
#include "support/test_paths.hpp"
#include "support/wait_until.hpp"

namespace sluice::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kRedisPassword = "e2e-health-Secret-5521";
constexpr const char* kConnectionId = "0b7e3f0c-4d7a-4f55-9a43-5c2e1f6d8a90";

// One task's lifecycle on a worker that comes online: 6 events.
void publish_lifecycle(BlockingRedis& client, const std::string& uuid) {
  publish_event(client, worker_event("worker-online", "w1@e2e", now_seconds(), 0));
  publish_event(client, task_event("task-sent", uuid, "gen1@e2e"));
  for (const char* type : {"task-received", "task-started", "task-succeeded"}) {
    publish_event(client, task_event(type, uuid, "w1@e2e"));
  }
  publish_event(client, worker_event("worker-heartbeat", "w1@e2e", now_seconds(), 1));
}
constexpr double kLifecycleEvents = 6;

// A running sluiced (dry-run sink) and the Redis it reads.
class Daemon {
 public:
  explicit Daemon(RedisServerOptions redis_options) : redis(std::move(redis_options)) {}

  // Starts the binary; false when it did not say which port /health has.
  bool start(std::vector<std::pair<std::string, std::string>> more_env = {}) {
    const std::string url = "redis://:" + std::string(kRedisPassword) + "@127.0.0.1:" + std::to_string(redis.port()) + "/0";
    std::vector<std::pair<std::string, std::string>> env = {{"SLUICE_SINK", "stdout"},
                                                            {"SLUICE_CONNECTION_ID", kConnectionId},
                                                            {"SLUICE_REDIS_URL", url},
                                                            {"SLUICE_HEALTH_ADDR", "127.0.0.1:0"},
                                                            {"SLUICE_RECONNECT_MAX", "200ms"},
                                                            {"SLUICE_LOG_LEVEL", "debug"}};
    env.insert(env.end(), more_env.begin(), more_env.end());
    process = std::make_unique<ChildProcess>(ProcessSpec{{SLUICED_BINARY}, env, "", dir.file("sluiced.log")});
    return wait_until([&] { return (port = health_port()) != 0; }, 20s);
  }
  std::string log() const { return read_file(dir.file("sluiced.log")); }

  int health_status() { return http_get(port, "/health").status; }
  json health() {
    const HttpReply reply = http_get(port, "/health");
    return json::parse(reply.body, nullptr, false);
  }
  bool has_warning(const std::string& id) {
    const json doc = health();
    if (!doc.is_object() || !doc.contains("warnings")) return false;
    for (const auto& warning : doc["warnings"]) {
      if (warning["id"] == id) return true;
    }
    return false;
  }
  // /metrics, checked as Prometheus text with sluiced's naming rules.
  PromExposition metrics() {
    const HttpReply reply = http_get(port, "/metrics");
    EXPECT_EQ(reply.status, 200);
    auto parsed = parse_prometheus_text(reply.body);
    EXPECT_TRUE(parsed) << parsed.error();
    if (!parsed) return {};
    EXPECT_EQ(lint_sluiced(*parsed), std::vector<std::string>{});
    return *parsed;
  }
  double metric(const std::string& name, const PromLabels& labels = {}) { return metrics().value(name, labels).value_or(-1); }
  // The sum over every series of a family (e.g. all event types).
  double total(const std::string& family) {
    const auto exposition = metrics();
    const PromFamily* f = exposition.family(family);
    double sum = 0;
    if (f) {
      for (const auto& sample : f->samples) sum += sample.value;
    }
    return sum;
  }
  bool exits_cleanly_on_sigterm() {
    process->signal(SIGTERM);
    const auto status = process->wait_for(30s);
    return status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0;
  }

  RedisServer redis;
  TempDir dir;
  std::unique_ptr<ChildProcess> process;
  std::uint16_t port = 0;

 private:
  std::uint16_t health_port() const { return SluicedProcess::health_port_in(log()); }
};

TEST(DaemonHealth, FollowsRedisAndMetricsMoveAsEventsFlow) {
  Daemon daemon(RedisServerOptions::with_password(kRedisPassword));
  ASSERT_TRUE(daemon.start()) << daemon.log();
  ASSERT_TRUE(wait_until([&] { return daemon.health_status() == 200; }, 20s)) << daemon.log();
  BlockingRedis client("127.0.0.1", daemon.redis.port(), "", kRedisPassword);

  const double received = daemon.total("sluiced_events_received_total");
  const double sent = daemon.metric("sluiced_events_received_total", {{"type", "task-sent"}});
  const double delivered = daemon.metric("sluiced_events_delivered_total");
  publish_lifecycle(client, "5d7b1c9e-0f42-4c1e-9a77-3e0b6f2d4c11");
  ASSERT_TRUE(wait_until([&] { return daemon.total("sluiced_events_received_total") >= received + kLifecycleEvents; }))
      << daemon.log();
  EXPECT_EQ(daemon.metric("sluiced_events_received_total", {{"type", "task-sent"}}), sent + 1);
  EXPECT_TRUE(wait_until([&] { return daemon.metric("sluiced_events_delivered_total") > delivered; }));
  // A healthy stream explains nothing away.
  EXPECT_EQ(daemon.health()["warnings"], json::array());
  EXPECT_EQ(daemon.metric("sluiced_task_events_missed_estimated_total"), 0);

  daemon.redis.stop();
  ASSERT_TRUE(wait_until([&] { return daemon.health_status() == 503; }, 20s)) << daemon.log();
  const json down = daemon.health();
  EXPECT_EQ(down["status"], "unhealthy");
  EXPECT_EQ(down["reasons"], json::array({"Redis connection lost"}));
  EXPECT_EQ(down["redis_connected"], false);
  EXPECT_EQ(daemon.metric("sluiced_redis_connected"), 0);

  daemon.redis.start();
  ASSERT_TRUE(wait_until([&] { return daemon.health_status() == 200; }, 20s)) << daemon.log();
  EXPECT_EQ(daemon.metric("sluiced_redis_connected"), 1);
  EXPECT_GE(daemon.metric("sluiced_redis_reconnects_total"), 1);
  EXPECT_GT(daemon.metric("sluiced_redis_disconnected_seconds_total"), 0);

  // The new subscription carries events again.
  BlockingRedis again("127.0.0.1", daemon.redis.port(), "", kRedisPassword);
  const double before = daemon.total("sluiced_events_received_total");
  publish_lifecycle(again, "a2f0c3d4-7b18-4e5a-8c3f-91d2e6b0f7a3");
  EXPECT_TRUE(wait_until([&] { return daemon.total("sluiced_events_received_total") >= before + kLifecycleEvents; }))
      << daemon.log();

  EXPECT_TRUE(daemon.exits_cleanly_on_sigterm());
  const std::string log = daemon.log();
  EXPECT_EQ(log.find(kRedisPassword), std::string::npos);
  EXPECT_EQ(log.find("level=warn msg=\"Redis client-output-buffer-limit"), std::string::npos);
}

RedisServerOptions with_low_pubsub_limit() {
  auto options = RedisServerOptions::with_password(kRedisPassword);
  options.extra_args = {"--client-output-buffer-limit", "pubsub", "1mb", "256kb", "60"};
  return options;
}

TEST(DaemonHealth, DiagnosticsAreWarningsNotFailures) {
  Daemon daemon(with_low_pubsub_limit());
  ASSERT_TRUE(daemon.start()) << daemon.log();
  ASSERT_TRUE(wait_until([&] { return daemon.has_warning("pubsub_buffer_limit_low"); }, 20s)) << daemon.log();
  EXPECT_EQ(daemon.health_status(), 200);
  EXPECT_EQ(daemon.health()["status"], "ok");
  EXPECT_EQ(daemon.metric("sluiced_diagnostic_active", {{"diagnostic", "pubsub_buffer_limit_low"}}), 1);
  for (const char* id : {"task_events_disabled", "task_sent_events_missing", "worker_clock_drift"}) {
    EXPECT_EQ(daemon.metric("sluiced_diagnostic_active", {{"diagnostic", id}}), 0) << id;
  }

  // A worker two minutes ahead, heartbeating until sluiced notices.
  BlockingRedis client("127.0.0.1", daemon.redis.port(), "", kRedisPassword);
  ASSERT_TRUE(wait_until([&] {
    publish_event(client, worker_event("worker-heartbeat", "ahead@e2e", now_seconds() + 120, 0));
    return daemon.has_warning("worker_clock_drift");
  }))
      << daemon.log();
  EXPECT_EQ(daemon.health_status(), 200);
  EXPECT_GT(daemon.metric("sluiced_worker_clock_drift_seconds"), 100);
  EXPECT_EQ(daemon.metric("sluiced_diagnostic_active", {{"diagnostic", "worker_clock_drift"}}), 1);
  // Its clock fixed, the warning clears.
  ASSERT_TRUE(wait_until([&] {
    publish_event(client, worker_event("worker-heartbeat", "ahead@e2e", now_seconds(), 0));
    return !daemon.has_warning("worker_clock_drift");
  }))
      << daemon.log();

  // A worker that says it accepted 5 tasks, none of whose task events came.
  const double missed = daemon.metric("sluiced_task_events_missed_estimated_total");
  for (long long processed : {0, 5, 5}) {
    publish_event(client, worker_event("worker-heartbeat", "busy@e2e", now_seconds(), processed));
  }
  EXPECT_TRUE(wait_until([&] { return daemon.metric("sluiced_task_events_missed_estimated_total") >= missed + 5; }))
      << daemon.log();

  EXPECT_TRUE(daemon.exits_cleanly_on_sigterm());
  const std::string log = daemon.log();
  EXPECT_NE(log.find("level=warn msg=\"Redis client-output-buffer-limit for pubsub is"), std::string::npos) << log;
  EXPECT_NE(log.find("msg=\"diagnostic cleared\" diagnostic=worker_clock_drift"), std::string::npos) << log;
  EXPECT_EQ(log.find(kRedisPassword), std::string::npos);
}

// Without queue polling the control broadcaster's connection reads the limit.
TEST(DaemonHealth, WithoutQueueDepthTheLimitIsReadOnTheControlConnection) {
  Daemon daemon(with_low_pubsub_limit());
  ASSERT_TRUE(daemon.start({{"SLUICE_QUEUE_DEPTH", "false"}})) << daemon.log();
  EXPECT_TRUE(wait_until([&] { return daemon.has_warning("pubsub_buffer_limit_low"); }, 20s)) << daemon.log();
  EXPECT_EQ(daemon.health_status(), 200);
  EXPECT_TRUE(daemon.exits_cleanly_on_sigterm());
}

}  // namespace
}  // namespace sluice::testing
