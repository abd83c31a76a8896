// The sluiced binary against a fake Redis that sends what a hostile or
// intercepted server can send right after confirming the subscription: a
// 13-byte header declaring a 100-million-element array, a string declared
// at ~1 GB and streamed. sluiced must refuse each before allocating for it
// (its peak RSS stays small), drop the connection, log and count it, and
// subscribe again.

#include <gtest/gtest.h>

#include <memory>

#include "support/fake_redis.hpp"
#include "support/prometheus_text.hpp"
#include "support/sanitizers.hpp"
#include "support/sluiced_daemon.hpp"
#include "support/wait_until.hpp"

namespace sluice::testing {
namespace {

using namespace std::chrono_literals;

// Far above sluiced's own footprint (~20 MB), far below what the headers ask for.
constexpr long kPeakRssBoundKiB = 64 * 1024;

class HostileRedis : public ::testing::Test {
 protected:
  // Runs sluiced (dry-run sink, read-only, no queue polling) against `fake`.
  void start(const FakeRedis& fake) {
    daemon_ = std::make_unique<SluicedDaemon>("redis://127.0.0.1:" + std::to_string(fake.port()) + "/0",
                                              SluicedDaemon::Env{{"SLUICE_ENABLE_EVENTS", "false"},
                                                                 {"SLUICE_QUEUE_DEPTH", "false"},
                                                                 {"SLUICE_LOG_LEVEL", "debug"}});
    ASSERT_TRUE(daemon_->started()) << daemon_->log();
  }

  double metric(const std::string& name, const PromLabels& labels = {}) {
    return daemon_->metrics().value(name, labels).value_or(-1);
  }

  // Subscribed again after the hostile reply, with the loss counted and logged.
  void expect_counted_reconnect(const FakeRedis& fake, const std::string& named) {
    ASSERT_TRUE(wait_until([&] { return fake.subscriptions() >= 2; })) << daemon_->log();
    ASSERT_TRUE(wait_until([&] { return metric("sluiced_redis_reconnects_total") >= 1; })) << daemon_->log();
    EXPECT_EQ(metric("sluiced_redis_disconnects_total", {{"kind", "too_large"}}), 1);
    const long peak = daemon_->memory_kb("VmHWM");
    EXPECT_GT(peak, 0);
    if (!kUnderAddressSanitizer) {
      EXPECT_LT(peak, kPeakRssBoundKiB) << "peak RSS " << peak << " KiB";
    }
    const std::string text = daemon_->log();
    EXPECT_NE(text.find("redis connection lost"), std::string::npos) << text;
    EXPECT_NE(text.find(named), std::string::npos) << text;
    daemon_->process().stop();
  }

 private:
  std::unique_ptr<SluicedDaemon> daemon_;
};

FakeRedisScript first_only(std::size_t connection, FakeRedisScript hostile) {
  return connection == 0 ? hostile : FakeRedisScript{};
}

TEST_F(HostileRedis, AHugeArrayHeaderCostsNoMemoryAndEndsInACountedReconnect) {
  FakeRedisScript hostile;
  hostile.after_subscribe = "*100000000\r\n";
  FakeRedis fake([&](std::size_t connection) { return first_only(connection, hostile); });
  start(fake);
  expect_counted_reconnect(fake, "100000000 array elements");
}

TEST_F(HostileRedis, AHugeStringIsRefusedAtItsHeaderNotBufferedWhileItStreams) {
  FakeRedisScript hostile;
  hostile.after_subscribe = "*4\r\n$8\r\npmessage\r\n$13\r\n/0.celeryev/*\r\n$5\r\n/0.ce\r\n$999999999\r\n";
  hostile.stream_bytes = 256 * 1024 * 1024;
  FakeRedis fake([&](std::size_t connection) { return first_only(connection, hostile); });
  start(fake);
  expect_counted_reconnect(fake, "999999999-byte string");
}

}  // namespace
}  // namespace sluice::testing
