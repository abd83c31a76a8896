#include "deliver/delivery_status.hpp"

#include <gtest/gtest.h>

namespace sluice::deliver {
namespace {

using namespace std::chrono_literals;
const DeliveryStatus::WallTime kNow{std::chrono::seconds(1'800'000'000)};

TEST(DeliveryHealth, HealthyUntilFailingForTheConfiguredTime) {
  DeliveryStatus status;
  EXPECT_TRUE(delivery_healthy(status, kNow, 60s));
  status.condition = Condition::failing;
  status.failing_since = kNow - 59s;
  EXPECT_TRUE(delivery_healthy(status, kNow, 60s));
  status.failing_since = kNow - 60s;
  EXPECT_FALSE(delivery_healthy(status, kNow, 60s));
}

TEST(DeliveryHealth, UnauthorizedIsUnhealthyAtOnce) {
  DeliveryStatus status;
  status.condition = Condition::unauthorized;
  status.failing_since = kNow;
  EXPECT_FALSE(delivery_healthy(status, kNow, 60s));
}

TEST(DeliveryHealth, RateLimitedIsNotUnhealthy) {
  DeliveryStatus status;
  status.condition = Condition::rate_limited;
  EXPECT_TRUE(delivery_healthy(status, kNow, 1s));
}

}  // namespace
}  // namespace sluice::deliver
