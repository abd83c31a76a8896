// The sluiced binary against a fake Redis that sends what a hostile or
// intercepted server can send right after confirming the subscription: a
// 13-byte header declaring a 100-million-element array, a string declared
// at ~1 GB and streamed. sluiced must refuse each before allocating for it
// (its peak RSS stays small), drop the connection, log and count it, and
// subscribe again.

#include <gtest/gtest.h>

#include <fstream>

#include "support/child_process.hpp"
#include "support/fake_redis.hpp"
#include "support/http_probe.hpp"
#include "support/prometheus_text.hpp"
#include "support/temp_dir.hpp"
#include "support/test_paths.hpp"
#include "support/wait_until.hpp"
#include "support/sluiced_process.hpp"

namespace sluice::testing {
namespace {

using namespace std::chrono_literals;

// Far above sluiced's own footprint (~20 MB), far below what the headers ask for.
constexpr long kPeakRssBoundKiB = 64 * 1024;

// The peak resident set of a process (VmHWM), in KiB; -1 if unreadable.
long peak_rss_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

class HostileRedis : public ::testing::Test {
 protected:
  // Runs sluiced (dry-run sink, read-only, no queue polling) against `fake`.
  void start(const FakeRedis& fake) {
    const std::vector<std::pair<std::string, std::string>> env = {
        {"SLUICE_SINK", "stdout"},
        {"SLUICE_CONNECTION_ID", "0b7e3f0c-4d7a-4f55-9a43-5c2e1f6d8a90"},
        {"SLUICE_REDIS_URL", "redis://127.0.0.1:" + std::to_string(fake.port()) + "/0"},
        {"SLUICE_HEALTH_ADDR", "127.0.0.1:0"},
        {"SLUICE_ENABLE_EVENTS", "false"},
        {"SLUICE_QUEUE_DEPTH", "false"},
        {"SLUICE_RECONNECT_MAX", "200ms"},
        {"SLUICE_LOG_LEVEL", "debug"}};
    process_ = std::make_unique<ChildProcess>(ProcessSpec{{SLUICED_BINARY}, env, "", dir_.file("sluiced.log")});
    ASSERT_TRUE(wait_until([&] { return (port_ = health_port()) != 0; }, 20s)) << log();
  }

  std::string log() const { return read_file(dir_.file("sluiced.log")); }

  double metric(const std::string& name, const PromLabels& labels = {}) {
    const HttpReply reply = http_get(port_, "/metrics");
    auto parsed = parse_prometheus_text(reply.body);
    if (!parsed) return -1;
    return parsed->value(name, labels).value_or(-1);
  }

  // Subscribed again after the hostile reply, with the loss counted and logged.
  void expect_counted_reconnect(const FakeRedis& fake, const std::string& named) {
    ASSERT_TRUE(wait_until([&] { return fake.subscriptions() >= 2; })) << log();
    ASSERT_TRUE(wait_until([&] { return metric("sluiced_redis_reconnects_total") >= 1; })) << log();
    EXPECT_EQ(metric("sluiced_redis_disconnects_total", {{"kind", "too_large"}}), 1);
    const long peak = peak_rss_kib(process_->pid());
    EXPECT_GT(peak, 0);
    EXPECT_LT(peak, kPeakRssBoundKiB) << "peak RSS " << peak << " KiB";
    const std::string text = log();
    EXPECT_NE(text.find("redis connection lost"), std::string::npos) << text;
    EXPECT_NE(text.find(named), std::string::npos) << text;
    process_->stop();
  }

 private:
  std::uint16_t health_port() const { return testing::SluicedProcess::health_port_in(log()); }

  TempDir dir_;
  std::unique_ptr<ChildProcess> process_;
  std::uint16_t port_ = 0;
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
