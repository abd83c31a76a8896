// 401/403/404: a configuration problem stops sending, keeps buffering,
// reports unhealthy with the status, and retries on a slow fixed period.
#include <gtest/gtest.h>

#include "delivery_fixture.hpp"

namespace sluice::deliver {
namespace {

using namespace std::chrono_literals;

TEST_F(DeliveryTest, Unauthorized401StopsSendingReportsUnhealthyAndResumesOnceFixed) {
  auto& d = deliverer();
  const std::string key = server().api_key();  // what sluiced sends
  server().set_api_key("sk_rotated_key");      // the API no longer takes it
  const auto first = push_events(d, 30);
  d.start();
  ASSERT_TRUE(h_.run_until([&] { return d.status().unauthorized(); }));
  const auto& status = d.status();
  EXPECT_NE(status.problem.find("401"), std::string::npos) << status.problem;
  EXPECT_NE(status.problem.find("SLUICE_API_KEY"), std::string::npos) << status.problem;
  EXPECT_FALSE(delivery_healthy(status, std::chrono::system_clock::now(), 60s));

  const auto more = push_events(d, 20, 5, 30);  // keeps buffering
  // Two more refused attempts, each a full retry period after the last.
  ASSERT_TRUE(h_.run_until([&] { return server().request_count() >= 3; }));
  server().set_api_key(key);  // fixed
  ASSERT_TRUE(accepted_at_least(50));

  const auto requests = server().requests();
  for (std::size_t i = 1; i < requests.size(); ++i) {
    if (requests[i - 1].status == 401) {
      EXPECT_GE(requests[i].arrived - requests[i - 1].answered, 1s) << i;
    }
  }
  auto expected = first;
  expected.insert(expected.end(), more.begin(), more.end());
  EXPECT_EQ(server().accepted_events(), expected);
  EXPECT_EQ(d.status().condition, Condition::ok);
  const std::string log = h_.log_text();
  EXPECT_EQ(log.find("refused the configuration"), log.rfind("refused the configuration")) << log;
  EXPECT_EQ(log.find(key), std::string::npos) << "the key is never logged";
}

class ConfigurationStatusTest : public DeliveryTest, public ::testing::WithParamInterface<int> {};

TEST_P(ConfigurationStatusTest, StopsSendingAndNamesTheStatus) {
  const int status = GetParam();
  server().fail_all(testing::Fault::answer(status));
  auto options = fast_options();
  options.retry.configuration_retry = 60s;
  auto& d = deliverer({}, options);
  push_events(d, 10);
  d.start();
  ASSERT_TRUE(h_.run_until([&] { return d.status().unauthorized(); }));
  EXPECT_NE(d.status().problem.find("HTTP " + std::to_string(status)), std::string::npos) << d.status().problem;
  push_events(d, 10, 5, 10);
  // Nothing more is sent within the retry period while events keep coming.
  EXPECT_FALSE(h_.run_until([&] { return server().request_count() > 1; }, 1500ms));
  EXPECT_EQ(d.waiting(), 20u);
  EXPECT_EQ(h_.batches("4xx"), 1u);
}

INSTANTIATE_TEST_SUITE_P(Statuses, ConfigurationStatusTest, ::testing::Values(401, 403, 404));

}  // namespace
}  // namespace sluice::deliver
