// The sluiced binary against a private redis-server, and a publisher that
// sends hostile messages (issue: expansion bombs): bodies of up to 16 MiB
// inflated that arrive as a few KB. Whatever one contains, it costs one
// count (a decode error, or the one event it really held), the daemon's
// resident memory stays within 64 MB of its baseline, /health answers while
// and after it is processed, and the events that follow are decoded.

#include <gtest/gtest.h>

#include "support/blocking_redis.hpp"
#include "support/hostile_messages.hpp"
#include "support/redis_server.hpp"
#include "support/sanitizers.hpp"
#include "support/sluiced_daemon.hpp"
#include "support/wait_until.hpp"

namespace sluice::testing {
namespace {

using namespace std::chrono_literals;

constexpr std::size_t kInflatedBytes = std::size_t{16} << 20;  // the default message limit
constexpr long kMemoryBoundKb = 64 * 1024;

std::string heartbeat_payload() {
  auto spec = decode::testing::envelope_of(std::string(hostile::kHeartbeat));
  spec.routing_key = "worker.heartbeat";
  return decode::testing::kombu_payload(spec);
}

// Decode errors plus events received: each message moves it by one here.
double counted(const SluicedDaemon& daemon) {
  return daemon.total("sluiced_decode_errors_total") + daemon.total("sluiced_events_received_total");
}

TEST(HostileMessages, EachCostsOneCountBoundedMemoryAndNeverSilencesHealth) {
  RedisServer redis;
  SluicedDaemon daemon("redis://127.0.0.1:" + std::to_string(redis.port()) + "/0");
  ASSERT_TRUE(daemon.started()) << daemon.log();
  ASSERT_TRUE(wait_until([&] { return daemon.health_status() == 200; }, 20s)) << daemon.log();
  BlockingRedis client("127.0.0.1", redis.port());
  ASSERT_TRUE(wait_until([&] { return client.pattern_subscribers() > 0; }, 20s)) << daemon.log();

  // Warmed up: one ordinary event carried end to end.
  ASSERT_EQ(client.publish("/0.celeryev/worker.heartbeat", heartbeat_payload()), 1);
  ASSERT_TRUE(wait_until([&] { return daemon.total("sluiced_events_received_total") == 1; })) << daemon.log();
  const long baseline = daemon.memory_kb("VmRSS");
  ASSERT_GT(baseline, 0);

  for (const HostileShape& shape : hostile_shapes()) {
    SCOPED_TRACE(shape.name);
    const std::string payload = hostile_payload(shape, kInflatedBytes);
    const double before = counted(daemon);
    const double errors = daemon.total("sluiced_decode_errors_total");
    ASSERT_TRUE(daemon.reset_peak_memory());
    ASSERT_EQ(client.publish("/0.celeryev/task.multi", payload), 1);
    EXPECT_EQ(daemon.health_status(), 200);
    ASSERT_TRUE(wait_until([&] { return counted(daemon) > before; })) << daemon.log();
    EXPECT_EQ(counted(daemon), before + 1);
    const bool valid_event = std::string_view(shape.name) == "json-long-string";  // one event, its text cut
    EXPECT_EQ(daemon.total("sluiced_decode_errors_total"), errors + (valid_event ? 0 : 1));
    const long peak = daemon.memory_kb("VmHWM");
    if (!kUnderAddressSanitizer) {
      EXPECT_LE(peak, baseline + kMemoryBoundKb);
    }
    RecordProperty(std::string(shape.name) + "_peak_kb_over_baseline", std::to_string(peak - baseline));
    EXPECT_EQ(daemon.health_status(), 200);
  }
  if (!kUnderAddressSanitizer) {
    EXPECT_LE(daemon.memory_kb("VmRSS"), baseline + kMemoryBoundKb);
  }

  // The stream carries on.
  const double events = daemon.total("sluiced_events_received_total");
  ASSERT_EQ(client.publish("/0.celeryev/worker.heartbeat", heartbeat_payload()), 1);
  EXPECT_TRUE(wait_until([&] { return daemon.total("sluiced_events_received_total") == events + 1; }))
      << daemon.log();
}

}  // namespace
}  // namespace sluice::testing
