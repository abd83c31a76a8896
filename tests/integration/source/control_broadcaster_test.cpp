// The ControlBroadcaster against a real redis-server, watched the way a
// worker listens: a second pattern subscription on the pidbox channel.

#include "source/control_broadcaster.hpp"

#include <gtest/gtest.h>

#include <set>

#include "support/blocking_redis.hpp"
#include "support/kombu_envelope.hpp"
#include "support/redis_server.hpp"
#include "support/source_harness.hpp"

namespace sluice::source {
namespace {

using namespace std::chrono_literals;
using testing::BlockingRedis;
using testing::metric_value;
using testing::pidbox_method_of;
using testing::RedisServer;
using testing::SourceHarness;
using testing::test_broadcast_options;
using testing::test_subscriber_options;
using testing::wait_until;

// Subscribes like a worker's remote-control consumer (PSUBSCRIBE /0.celery.pidbox).
struct PidboxWatcher {
  explicit PidboxWatcher(const RedisServer& server) : source(options(server)) { EXPECT_TRUE(source.wait_subscribed()); }
  static SubscriberOptions options(const RedisServer& server) {
    auto o = test_subscriber_options(server.tcp_url(), {"/0.celery.pidbox"});
    o.connect.client_name = "pidbox-watcher";
    return o;
  }
  std::size_t count(const std::string& method) const {
    return source.messages().count_if([&](const RedisMessage& m) { return pidbox_method_of(m.payload) == method; });
  }
  bool wait_for(const std::string& method, std::size_t n) const {
    return wait_until([&] { return count(method) >= n; });
  }
  mutable SourceHarness source;
};

// The id of the connection named `name` in CLIENT LIST, or "".
std::string client_id(BlockingRedis& client, const std::string& name) {
  const auto list = client.command({"CLIENT", "LIST"});
  std::istringstream in(list.text() ? *list.text() : "");
  for (std::string line; std::getline(in, line);) {
    if (line.find(" name=" + name + " ") == std::string::npos) continue;
    const auto start = line.find("id=") + 3;
    return line.substr(start, line.find(' ', start) - start);
  }
  return "";
}

TEST(ControlBroadcaster, EnablesEventsAndAsksForHeartbeatsAfterEverySubscription) {
  RedisServer server;
  PidboxWatcher workers(server);
  SourceHarness daemon(test_subscriber_options(server.tcp_url()), test_broadcast_options(server.tcp_url()));
  ASSERT_TRUE(daemon.wait_subscribed());
  ASSERT_TRUE(workers.wait_for("enable_events", 1));
  ASSERT_TRUE(workers.wait_for("heartbeat", 1));

  // A restart drops every connection; the subscriber comes back, and so do
  // the broadcasts (the watcher may or may not be back in time for them).
  server.restart();
  ASSERT_TRUE(daemon.wait_subscribed(1)) << daemon.state().last_error;
  ASSERT_TRUE(workers.source.wait_subscribed(1));

  // Now drop only the daemon's subscription, with the watcher listening.
  const auto heartbeats = workers.count("heartbeat");
  const auto enables = workers.count("enable_events");
  BlockingRedis admin("127.0.0.1", server.port());
  const auto id = client_id(admin, "sluiced-events");
  ASSERT_FALSE(id.empty());
  admin.command({"CLIENT", "KILL", "ID", id});
  ASSERT_TRUE(daemon.wait_subscribed(2));
  EXPECT_TRUE(workers.wait_for("heartbeat", heartbeats + 1));
  EXPECT_TRUE(workers.wait_for("enable_events", enables + 1));
  // The watcher may see the PUBLISH before the daemon has read its reply.
  EXPECT_TRUE(wait_until([&] {
    return metric_value(daemon.metrics(), "sluiced_control_broadcasts_total{method=\"heartbeat\"}") >= 2;
  }));
}

TEST(ControlBroadcaster, RepeatsEnableEventsEveryInterval) {
  RedisServer server;
  PidboxWatcher workers(server);
  SourceHarness daemon(test_subscriber_options(server.tcp_url()), test_broadcast_options(server.tcp_url(), 50ms));
  ASSERT_TRUE(workers.wait_for("enable_events", 4));
  EXPECT_EQ(workers.count("heartbeat"), 1u);  // only after the subscription
  std::set<std::string> tags;
  long long last_clock = 0;
  for (const auto& m : workers.source.messages().all()) {
    tags.insert(testing::delivery_tag_of(m.payload));
    const auto clock = testing::pidbox_clock_of(m.payload);
    EXPECT_GT(clock, last_clock);
    last_clock = clock;
  }
  EXPECT_EQ(tags.size(), workers.source.messages().size());  // a fresh uuid4 each time
}

TEST(ControlBroadcaster, WorkerOnlineTriggersEnableEvents) {
  RedisServer server;
  PidboxWatcher workers(server);
  auto options = test_broadcast_options(server.tcp_url());
  options.timing.after_subscription = 0ms;
  SourceHarness daemon(test_subscriber_options(server.tcp_url()), options);
  ASSERT_TRUE(workers.wait_for("enable_events", 1));
  BlockingRedis client("127.0.0.1", server.port());
  // A worker-online envelope (routing key worker.online), as in the captures.
  client.publish("/0.celeryev/worker.online",
                 R"({"body": "e30=", "properties": {"delivery_info": {"routing_key": "worker.online"}}})");
  EXPECT_TRUE(workers.wait_for("enable_events", 2));
  EXPECT_EQ(workers.count("heartbeat"), 1u);
}

// Celery's start race: the worker announces itself, then subscribes to the
// pidbox channel. The broadcast sent on worker-online reaches nobody; the
// fast beat goes on until the receiver count covers the newcomer, then stops.
TEST(ControlBroadcaster, KeepsBroadcastingUntilTheNewWorkerIsCounted) {
  RedisServer server;
  auto options = test_broadcast_options(server.tcp_url());  // the slow interval is an hour
  options.timing.after_subscription = 0ms;
  SourceHarness daemon(test_subscriber_options(server.tcp_url()), options);
  ASSERT_TRUE(daemon.wait_subscribed());
  BlockingRedis client("127.0.0.1", server.port());
  ASSERT_TRUE(wait_until([&] {
    return metric_value(daemon.metrics(), "sluiced_control_broadcasts_total{method=\"enable_events\"}") >= 1;
  }));
  client.publish("/0.celeryev/worker.online",
                 R"({"body": "e30=", "properties": {"delivery_info": {"routing_key": "worker.online"}}})");
  ASSERT_TRUE(wait_until([&] { return metric_value(daemon.metrics(), "sluiced_control_broadcast_pending_workers") == 1; }));

  PidboxWatcher late_worker(server);  // subscribes only now
  EXPECT_TRUE(late_worker.wait_for("enable_events", 1));
  ASSERT_TRUE(wait_until([&] { return metric_value(daemon.metrics(), "sluiced_control_broadcast_pending_workers") == 0; }));
  EXPECT_NE(daemon.log_text().find("enable_events reached a new worker"), std::string::npos) << daemon.log_text();
}

TEST(ControlBroadcaster, DisabledMeansNoConnectionAndNoBroadcast) {
  RedisServer server;
  PidboxWatcher workers(server);
  auto options = test_broadcast_options(server.tcp_url(), 50ms);
  options.enabled = false;
  SourceHarness daemon(test_subscriber_options(server.tcp_url()), options);
  ASSERT_TRUE(daemon.wait_subscribed());
  BlockingRedis client("127.0.0.1", server.port());
  client.publish("/0.celeryev/worker.online",
                 R"({"body": "e30=", "properties": {"delivery_info": {"routing_key": "worker.online"}}})");
  ASSERT_TRUE(daemon.messages().wait_for_count(1));  // the trigger reached the (disabled) broadcaster
  client.publish("/0.celery.pidbox", "sentinel");
  ASSERT_TRUE(workers.source.messages().wait_for_count(1));
  EXPECT_EQ(workers.source.messages().all().front().payload, "sentinel");
  EXPECT_EQ(client_id(client, "sluiced-control"), "");  // it never even connected
  EXPECT_EQ(daemon.metrics().find("sluiced_control_broadcast"), std::string::npos);
}

}  // namespace
}  // namespace sluice::source
