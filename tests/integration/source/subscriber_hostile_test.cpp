// The Subscriber against a fake Redis that misbehaves the way a hostile or
// intercepted server can: reply headers declaring gigabytes, a reply that
// trickles in forever, a subscription confirmed and dropped at once, an
// error during the handshake. Each ends in a logged, counted reconnect;
// the backoff keeps growing until a session proves healthy.

#include <gtest/gtest.h>

#include <regex>

#include "source/subscriber.hpp"
#include "support/fake_redis.hpp"
#include "support/source_harness.hpp"
#include "support/wait_until.hpp"

namespace sluice::source {
namespace {

using namespace std::chrono_literals;
using testing::FakeRedis;
using testing::FakeRedisScript;
using testing::metric_value;
using testing::SourceHarness;
using testing::test_subscriber_options;
using Then = FakeRedisScript::Then;

std::string pmessage(const std::string& channel, const std::string& payload) {
  auto bulk = [](const std::string& s) { return "$" + std::to_string(s.size()) + "\r\n" + s + "\r\n"; };
  return "*4\r\n" + bulk("pmessage") + bulk("/0.celeryev/*") + bulk(channel) + bulk(payload);
}

// The first subscription gets `hostile`; later ones are well-behaved, so the
// test sees the reconnect succeed.
FakeRedis hostile_once(FakeRedisScript hostile) {
  return FakeRedis([hostile](std::size_t connection) { return connection == 0 ? hostile : FakeRedisScript{}; });
}

std::size_t count_substr(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

TEST(SubscriberHostileRedis, AHugeArrayHeaderIsRefusedAndEndsInACountedReconnect) {
  FakeRedisScript script;
  script.after_subscribe = "*100000000\r\n";
  auto fake = hostile_once(script);
  SourceHarness source(test_subscriber_options(fake.url()));
  ASSERT_TRUE(source.wait_subscribed(1)) << source.state().last_error;
  EXPECT_EQ(metric_value(source.metrics(), "sluiced_redis_disconnects_total{kind=\"too_large\"}"), 1);
  EXPECT_EQ(metric_value(source.metrics(), "sluiced_redis_reconnects_total"), 1);
  ASSERT_TRUE(source.stop());
  const auto log = source.log_text();
  EXPECT_EQ(count_substr(log, "redis connection lost"), 1u) << log;
  EXPECT_NE(log.find("100000000 array elements"), std::string::npos) << log;
}

TEST(SubscriberHostileRedis, AHugeBulkHeaderIsRefusedBeforeItsBytesAreBuffered) {
  FakeRedisScript script;
  script.after_subscribe = "*4\r\n$8\r\npmessage\r\n$13\r\n/0.celeryev/*\r\n$5\r\n/0.ce\r\n$999999999\r\n";
  script.stream_bytes = 64 * 1024 * 1024;
  auto fake = hostile_once(script);
  SourceHarness source(test_subscriber_options(fake.url()));
  ASSERT_TRUE(source.wait_subscribed(1)) << source.state().last_error;
  EXPECT_EQ(metric_value(source.metrics(), "sluiced_redis_disconnects_total{kind=\"too_large\"}"), 1);
  ASSERT_TRUE(source.stop()) << source.log_text();
  EXPECT_NE(source.log_text().find("999999999-byte string"), std::string::npos) << source.log_text();
}

// Messages before the refused reply in the same read still arrive.
TEST(SubscriberHostileRedis, MessagesBeforeARefusedReplyAreDelivered) {
  FakeRedisScript script;
  script.after_subscribe = pmessage("/0.celeryev/a", "one") + pmessage("/0.celeryev/b", "two") + "*100000000\r\n";
  auto fake = hostile_once(script);
  SourceHarness source(test_subscriber_options(fake.url()));
  ASSERT_TRUE(source.wait_subscribed(1)) << source.state().last_error;
  ASSERT_TRUE(source.messages().wait_for_count(2));
  EXPECT_EQ(source.messages().all()[1].payload, "two");
}

TEST(SubscriberHostileRedis, AReplyTricklingInForeverEndsInACountedReconnect) {
  FakeRedisScript script;
  script.after_subscribe = "*4\r\n$8\r\npmessage\r\n$13\r\n/0.celeryev/*\r\n$5\r\n/0.ce\r\n$100\r\n";
  script.then = Then::trickle;
  script.trickle_period = 20ms;
  auto fake = hostile_once(script);
  auto options = test_subscriber_options(fake.url());
  options.reply_timeout = 300ms;
  SourceHarness source(options);
  ASSERT_TRUE(source.wait_subscribed(1)) << source.state().last_error;
  EXPECT_EQ(metric_value(source.metrics(), "sluiced_redis_disconnects_total{kind=\"timeout\"}"), 1);
  EXPECT_GT(fake.bytes_streamed(), 0u);  // it did trickle
  ASSERT_TRUE(source.stop());
  EXPECT_NE(source.log_text().find("a reply from Redis stayed incomplete for more than 300ms"), std::string::npos)
      << source.log_text();
}

// The ceilings of the "reconnect scheduled" lines, in order.
std::vector<long> reconnect_ceilings(const std::string& log) {
  static const std::regex ceiling("redis reconnect scheduled.* ceiling_ms=([0-9]+)");
  std::vector<long> out;
  for (std::sregex_iterator it(log.begin(), log.end(), ceiling), end; it != end; ++it) out.push_back(std::stol((*it)[1]));
  return out;
}

// A server that confirms the subscription and drops it at once: the
// backoff grows as for failed attempts (it used to start over on every
// subscription: ~4 reconnects/s forever, two log lines each).
TEST(SubscriberHostileRedis, ASubscriptionDroppedAtOnceBacksOffFurtherEachTime) {
  FakeRedisScript script;
  script.then = Then::close;
  FakeRedis fake(script);
  auto options = test_subscriber_options(fake.url());
  options.reconnect_min = 10ms;
  options.reconnect_max = 160ms;
  SourceHarness source(options);
  ASSERT_TRUE(testing::wait_until([&] { return fake.subscriptions() >= 7; }));
  const auto metrics = source.metrics();
  ASSERT_TRUE(source.stop());
  const auto log = source.log_text();
  auto ceilings = reconnect_ceilings(log);
  ASSERT_GE(ceilings.size(), 6u) << log;
  ceilings.resize(6);
  EXPECT_EQ(ceilings, (std::vector<long>{10, 20, 40, 80, 160, 160})) << log;
  // One lost and one resubscribed line per minute, not two per reconnect.
  EXPECT_EQ(count_substr(log, "redis connection lost"), 1u) << log;
  EXPECT_EQ(count_substr(log, "redis resubscribed"), 1u) << log;
  EXPECT_GE(metric_value(metrics, "sluiced_redis_disconnects_total{kind=\"closed\"}"), 6);
}

// A session that delivered a message was healthy: the backoff starts over.
TEST(SubscriberHostileRedis, ASessionThatDeliveredAMessageResetsTheBackoff) {
  FakeRedisScript script;
  script.after_subscribe = pmessage("/0.celeryev/worker.heartbeat", "{}");
  script.then = Then::close;
  FakeRedis fake(script);
  auto options = test_subscriber_options(fake.url());
  options.reconnect_min = 10ms;
  options.reconnect_max = 160ms;
  SourceHarness source(options);
  ASSERT_TRUE(testing::wait_until([&] { return fake.subscriptions() >= 4; }));
  ASSERT_TRUE(source.stop());
  auto ceilings = reconnect_ceilings(source.log_text());
  ASSERT_GE(ceilings.size(), 3u);
  ceilings.resize(3);
  EXPECT_EQ(ceilings, (std::vector<long>{10, 10, 10})) << source.log_text();
}

TEST(SubscriberHostileRedis, LoadingDuringTheHandshakeIsNotAnAuthenticationFailure) {
  FakeRedisScript script;
  script.answers["AUTH"] = "-LOADING Redis is loading the dataset in memory\r\n";
  FakeRedis fake(script);
  auto url = fake.url();
  url.password = "loading-Secret-7";
  SourceHarness source(test_subscriber_options(url));
  ASSERT_TRUE(testing::wait_until([&] { return source.state().failed_attempts >= 2; }));
  const auto state = source.state();
  EXPECT_NE(state.last_error.find("Redis is loading its dataset into memory"), std::string::npos) << state.last_error;
  EXPECT_EQ(state.last_error.find("authentication"), std::string::npos) << state.last_error;
  EXPECT_GE(metric_value(source.metrics(), "sluiced_redis_connect_errors_total{kind=\"busy\"}"), 2);
  ASSERT_TRUE(source.stop());
  EXPECT_EQ(source.log_text().find("loading-Secret-7"), std::string::npos);
}

}  // namespace
}  // namespace sluice::source
