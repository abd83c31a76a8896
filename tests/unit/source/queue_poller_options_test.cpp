#include <gtest/gtest.h>

#include "source/queue_poller.hpp"
#include "support/test_settings.hpp"

namespace sluice::source {
namespace {

TEST(QueuePollerOptions, DefaultsDiscoverOnTheBrokerDbWithTheKeyPrefix) {
  const auto settings = testing::test_settings({{"SLUICE_REDIS_URL", "redis://127.0.0.1:6379/4"}});
  const auto o = QueuePollerOptions::from_settings(settings);
  EXPECT_TRUE(o.enabled);
  EXPECT_TRUE(o.queues.empty());
  EXPECT_EQ(o.connect.url.db, 4);
  EXPECT_EQ(o.poll_interval, Duration{10'000});
  EXPECT_EQ(o.scan_interval, Duration{60'000});
  EXPECT_EQ(o.refresh_interval, settings.refresh_interval);
}

TEST(QueuePollerOptions, ExplicitListAndSwitch) {
  const auto o = QueuePollerOptions::from_settings(
      testing::test_settings({{"SLUICE_QUEUES", "alpha,beta"}, {"SLUICE_QUEUE_DEPTH", "false"}}));
  EXPECT_EQ(o.queues, (std::vector<std::string>{"alpha", "beta"}));
  EXPECT_FALSE(o.enabled);
}

}  // namespace
}  // namespace sluice::source
