// The Subscriber against a real redis-server: fixture payloads arrive byte
// for byte; it survives restarts, frozen servers and bad credentials the
// way /health and the logs promise.

#include "source/subscriber.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "source/channel_names.hpp"
#include "support/blocking_redis.hpp"
#include "support/redis_server.hpp"
#include "support/source_harness.hpp"
#include "support/test_paths.hpp"
#include "support/test_settings.hpp"

namespace sluice::source {
namespace {

using namespace std::chrono_literals;
using testing::BlockingRedis;
using testing::metric_value;
using testing::RedisServer;
using testing::RedisServerOptions;
using testing::SourceHarness;
using testing::test_subscriber_options;

struct Published {
  std::string channel;
  std::string payload;
};

std::vector<Published> capture(const std::string& scenario) {
  std::istringstream channels(testing::read_file(testing::fixture_path("celery-5.2/" + scenario + ".channels.tsv")));
  std::istringstream payloads(testing::read_file(testing::fixture_path("celery-5.2/" + scenario + ".jsonl")));
  std::vector<Published> out;
  std::string row;
  std::getline(channels, row);  // header
  for (std::string payload; std::getline(channels, row) && std::getline(payloads, payload);) {
    out.push_back({row.substr(row.rfind('\t') + 1), payload});
  }
  return out;
}

std::size_t occurrences(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

const RedisMessage kMarker{"/0.celeryev/*", "/0.celeryev/test.marker", "end"};

void publish(BlockingRedis& client, const RedisMessage& m) { client.publish(m.channel, m.payload); }

TEST(Subscriber, DeliversFixturePayloadsByteExactInOrder) {
  RedisServer server;
  const auto names = channel_names(testing::test_settings());
  SourceHarness source(test_subscriber_options(server.tcp_url(), names.event_patterns));
  ASSERT_TRUE(source.wait_subscribed());
  BlockingRedis client("127.0.0.1", server.port());
  std::vector<RedisMessage> expected;
  for (const std::string scenario : {"prefork", "channels-fanout-patterns-off"}) {
    for (const auto& p : capture(scenario)) {
      client.publish(p.channel, p.payload);  // pidbox and result-backend channels too
      if (p.channel == "/0.celeryev") expected.push_back({"/0.celeryev", p.channel, p.payload});
      if (p.channel.rfind("/0.celeryev/", 0) == 0) expected.push_back({"/0.celeryev/*", p.channel, p.payload});
    }
  }
  publish(client, kMarker);
  expected.push_back(kMarker);
  ASSERT_GT(expected.size(), 90u);
  ASSERT_TRUE(source.messages().wait_for_count(expected.size()));
  EXPECT_EQ(source.messages().all(), expected);
  EXPECT_EQ(metric_value(source.metrics(), "sluiced_redis_messages_received_total"),
            static_cast<double>(expected.size()));
}

TEST(Subscriber, ReconnectsAfterAServerRestartAndReceivesAgain) {
  RedisServer server;
  SourceHarness source(test_subscriber_options(server.tcp_url()));
  ASSERT_TRUE(source.wait_subscribed());
  EXPECT_EQ(metric_value(source.metrics(), "sluiced_redis_connected"), 1);
  {
    BlockingRedis client("127.0.0.1", server.port());
    publish(client, {"/0.celeryev/*", "/0.celeryev/worker.heartbeat", "before"});
    ASSERT_TRUE(source.messages().wait_for_count(1));
  }
  server.restart();  // same port
  ASSERT_TRUE(source.wait_subscribed(1)) << source.state().last_error;
  BlockingRedis client("127.0.0.1", server.port());
  publish(client, {"/0.celeryev/*", "/0.celeryev/worker.heartbeat", "after"});
  ASSERT_TRUE(source.messages().wait_for_count(2));
  EXPECT_EQ(source.messages().all().back().payload, "after");

  const auto metrics = source.metrics();
  EXPECT_EQ(metric_value(metrics, "sluiced_redis_reconnects_total"), 1);
  EXPECT_EQ(metric_value(metrics, "sluiced_redis_connected"), 1);
  EXPECT_GT(metric_value(metrics, "sluiced_redis_disconnected_seconds_total"), 0);
  const auto state = source.state();
  EXPECT_TRUE(state.ever_subscribed);
  EXPECT_EQ(state.reconnects, 1u);
  ASSERT_TRUE(source.stop());
  const auto log = source.log_text();
  EXPECT_EQ(occurrences(log, "redis connection lost"), 1u) << log;
  EXPECT_LE(occurrences(log, "redis unavailable"), 1u) << log;  // once per outage, not per attempt
  EXPECT_EQ(occurrences(log, "redis resubscribed"), 1u) << log;
}

TEST(Subscriber, PasswordProtectedServer) {
  RedisServer server(RedisServerOptions::with_password("sub-Secret-1"));
  SourceHarness source(test_subscriber_options(server.tcp_url()));
  ASSERT_TRUE(source.wait_subscribed()) << source.state().last_error;
  BlockingRedis client("127.0.0.1", server.port(), "", "sub-Secret-1");
  publish(client, kMarker);
  ASSERT_TRUE(source.messages().wait_for_count(1));
}

TEST(Subscriber, WrongPasswordIsRetriedCountedAndNeverLogged) {
  RedisServer server(RedisServerOptions::with_password("right-Secret-2"));
  auto url = server.tcp_url();
  url.password = "wrong-Secret-3";
  SourceHarness source(test_subscriber_options(url));
  ASSERT_TRUE(testing::wait_until([&] { return source.state().failed_attempts >= 3; }));
  EXPECT_FALSE(source.state().subscribed);
  EXPECT_NE(source.state().last_error.find("wrong user name or password"), std::string::npos);
  EXPECT_GE(metric_value(source.metrics(), "sluiced_redis_connect_errors_total{kind=\"auth\"}"), 3);
  EXPECT_EQ(metric_value(source.metrics(), "sluiced_redis_connected"), 0);
  ASSERT_TRUE(source.stop());
  const auto log = source.log_text();
  EXPECT_EQ(occurrences(log, "redis unavailable"), 1u) << log;
  EXPECT_EQ(log.find("wrong-Secret-3"), std::string::npos) << log;
  EXPECT_EQ(source.messages().size(), 0u);
}

TEST(Subscriber, AclUserServer) {
  RedisServer server(RedisServerOptions::with_acl_user("events", "acl-Secret-4"));
  SourceHarness source(test_subscriber_options(server.tcp_url()));
  ASSERT_TRUE(source.wait_subscribed()) << source.state().last_error;
  BlockingRedis client("127.0.0.1", server.port(), "events", "acl-Secret-4");
  publish(client, kMarker);
  ASSERT_TRUE(source.messages().wait_for_count(1));
  EXPECT_EQ(source.messages().all().front(), kMarker);
}

TEST(Subscriber, AclUserWithOnlyTheNeededPermissions) {
  // What an operator grants sluiced: PSUBSCRIBE on exactly its two patterns
  // (Redis compares PSUBSCRIBE patterns literally), PUBLISH on the pidbox
  // channel, PING for the keepalive. CLIENT SETNAME is refused and ignored.
  auto options = RedisServerOptions::with_acl_user("sluiced", "acl-Secret-5");
  options.acl_rules = {"resetchannels", "&/0.celeryev/*", "&/0.celeryev", "&/0.celery.pidbox",
                       "-@all", "+psubscribe", "+publish", "+ping"};
  RedisServer server(options);
  SourceHarness source(test_subscriber_options(server.tcp_url()), testing::test_broadcast_options(server.tcp_url()));
  ASSERT_TRUE(source.wait_subscribed()) << source.state().last_error;
  BlockingRedis client("127.0.0.1", server.port(), "sluiced", "acl-Secret-5");
  publish(client, kMarker);
  ASSERT_TRUE(source.messages().wait_for_count(1));
  ASSERT_TRUE(testing::wait_until([&] {
    return metric_value(source.metrics(), "sluiced_control_broadcasts_total{method=\"heartbeat\"}") == 1;
  }));
  EXPECT_EQ(metric_value(source.metrics(), "sluiced_control_broadcast_errors_total"), 0);
}

TEST(Subscriber, UnixSocketServer) {
  RedisServer server(RedisServerOptions::with_unix_socket());
  SourceHarness source(test_subscriber_options(server.unix_url()));
  ASSERT_TRUE(source.wait_subscribed()) << source.state().last_error;
  BlockingRedis client("127.0.0.1", server.port());
  publish(client, kMarker);
  ASSERT_TRUE(source.messages().wait_for_count(1));
}

TEST(Subscriber, TlsServerWithTheRightCa) {
  RedisServer server(RedisServerOptions::with_tls());
  auto options = test_subscriber_options(server.tls_url());
  options.connect.ca_file = server.tls_files().ca_cert;
  SourceHarness source(options);
  ASSERT_TRUE(source.wait_subscribed()) << source.state().last_error;
  BlockingRedis client("127.0.0.1", server.port());  // the test publishes over the plain port
  publish(client, kMarker);
  ASSERT_TRUE(source.messages().wait_for_count(1));
  EXPECT_EQ(source.messages().all().front(), kMarker);
}

TEST(Subscriber, TlsServerWithAWrongCaIsRefusedAndCounted) {
  RedisServer server(RedisServerOptions::with_tls());
  auto options = test_subscriber_options(server.tls_url());
  options.connect.ca_file = server.tls_files().other_ca_cert;
  SourceHarness source(options);
  ASSERT_TRUE(testing::wait_until([&] { return source.state().failed_attempts >= 2; }));
  EXPECT_FALSE(source.state().ever_subscribed);
  EXPECT_NE(source.state().last_error.find("certificate"), std::string::npos) << source.state().last_error;
  EXPECT_GE(metric_value(source.metrics(), "sluiced_redis_connect_errors_total{kind=\"tls\"}"), 2);
  BlockingRedis client("127.0.0.1", server.port());
  EXPECT_EQ(client.publish(kMarker.channel, kMarker.payload), 0);  // no subscriber on the server
  ASSERT_TRUE(source.stop());
  EXPECT_EQ(source.messages().size(), 0u);
}

TEST(Subscriber, DropsMessagesLargerThanTheLimit) {
  RedisServer server;
  auto options = test_subscriber_options(server.tcp_url());
  options.max_message_bytes = 1024;
  SourceHarness source(options);
  ASSERT_TRUE(source.wait_subscribed());
  BlockingRedis client("127.0.0.1", server.port());
  client.publish("/0.celeryev/task.multi", std::string(1025, 'x'));
  publish(client, kMarker);
  ASSERT_TRUE(source.messages().wait_for_count(1));
  EXPECT_EQ(source.messages().all(), std::vector<RedisMessage>{kMarker});
  EXPECT_EQ(metric_value(source.metrics(), "sluiced_redis_messages_dropped_total{reason=\"too_large\"}"), 1);
}

TEST(Subscriber, KeepaliveNoticesAFrozenServerAndRecovers) {
  RedisServer server;
  auto options = test_subscriber_options(server.tcp_url());
  options.keepalive_interval = 100ms;
  options.connect.command_timeout = 300ms;
  options.connect.connect_timeout = 300ms;
  SourceHarness source(options);
  ASSERT_TRUE(source.wait_subscribed());
  server.pause();  // no FIN, no RST: only silence
  const bool lost = testing::wait_until([&] { return !source.state().subscribed; });
  server.resume();
  ASSERT_TRUE(lost);
  ASSERT_TRUE(source.wait_subscribed(1)) << source.state().last_error;
  ASSERT_TRUE(source.stop());
  EXPECT_NE(source.log_text().find("no data from Redis"), std::string::npos) << source.log_text();
}

TEST(Subscriber, StopEndsTheLoopEvenWhileTheServerIsFrozen) {
  RedisServer server;
  auto options = test_subscriber_options(server.tcp_url());
  options.connect.connect_timeout = 60s;  // stop() must not wait for these
  options.connect.command_timeout = 60s;
  options.connect.client_name.clear();  // no handshake round trip: "connected" as soon as TCP is
  server.pause();
  SourceHarness source(options);
  // Connected (the kernel accepts for the frozen server), now blocked in
  // the PSUBSCRIBE confirmation read.
  ASSERT_TRUE(testing::wait_until([&] { return source.state().connected; }));
  EXPECT_TRUE(source.stop());
  server.resume();
  EXPECT_TRUE(source.subscriber().finished());
}

TEST(Subscriber, NoCallbackAfterStop) {
  RedisServer server;
  SourceHarness source(test_subscriber_options(server.tcp_url()));
  ASSERT_TRUE(source.wait_subscribed());
  ASSERT_TRUE(source.stop());
  BlockingRedis client("127.0.0.1", server.port());
  EXPECT_EQ(client.publish(kMarker.channel, kMarker.payload), 0);  // nobody subscribed any more
  EXPECT_EQ(source.messages().size(), 0u);
}

}  // namespace
}  // namespace sluice::source
