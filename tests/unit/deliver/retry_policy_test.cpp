#include "deliver/retry_policy.hpp"

#include <gtest/gtest.h>

namespace sluice::deliver {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;
// 2026-02-27T10:30:00Z
const std::chrono::system_clock::time_point kNow{std::chrono::seconds(1772188200)};

SendResult with_retry_after(std::string value) {
  SendResult r = SendResult::answer(429);
  r.retry_after = std::move(value);
  return r;
}

class RetryPolicyTest : public ::testing::Test {
 protected:
  Step next(const SendResult& r, std::size_t events = 10) { return policy_.next(r, events, kNow, rng_); }
  RetryPolicy policy_;
  std::mt19937_64 rng_{42};
};

TEST_F(RetryPolicyTest, SuccessIsDelivered) {
  for (int status : {200, 201, 202, 204, 299}) {
    EXPECT_EQ(next(SendResult::answer(status)).action, Action::delivered) << status;
    EXPECT_EQ(next(SendResult::answer(status), 1).action, Action::delivered) << status;
  }
}

TEST_F(RetryPolicyTest, ValidationErrorSplitsDownToSingleEventsThenDrops) {
  EXPECT_EQ(next(SendResult::answer(400), 2), (Step{Action::split, 0ms, {}}));
  EXPECT_EQ(next(SendResult::answer(400), 1), (Step{Action::drop_rejected, 0ms, {}}));
}

TEST_F(RetryPolicyTest, PayloadTooLargeSplitsAndASingleEventIsDropped) {
  EXPECT_EQ(next(SendResult::answer(413), 500).action, Action::split);
  EXPECT_EQ(next(SendResult::answer(413), 1).action, Action::drop_rejected);
}

TEST_F(RetryPolicyTest, ConfigurationProblemsStopSendingAndRetryEveryMinute) {
  for (int status : {401, 403, 404}) {
    for (std::size_t events : {1u, 50u}) {
      const Step step = next(SendResult::answer(status), events);
      EXPECT_EQ(step.action, Action::stop_sending) << status;
      EXPECT_EQ(step.delay, milliseconds(60'000)) << status;
      EXPECT_FALSE(step.hint.empty()) << status;
    }
  }
  EXPECT_NE(next(SendResult::answer(401)).hint.find("SLUICE_API_KEY"), std::string_view::npos);
  EXPECT_NE(next(SendResult::answer(404)).hint.find("SLUICE_API_URL"), std::string_view::npos);
}

TEST_F(RetryPolicyTest, TooManyRequestsWaitsForRetryAfterSeconds) {
  EXPECT_EQ(next(with_retry_after("3")), (Step{Action::wait_retry_after, 3000ms, {}}));
  EXPECT_EQ(next(with_retry_after("0")).delay, 0ms);
}

TEST_F(RetryPolicyTest, TooManyRequestsWaitsForRetryAfterDate) {
  EXPECT_EQ(next(with_retry_after("Fri, 27 Feb 2026 10:31:00 GMT")), (Step{Action::wait_retry_after, 60s, {}}));
  EXPECT_EQ(next(with_retry_after("Fri, 27 Feb 2026 10:00:00 GMT")).delay, 0ms);  // in the past
}

TEST_F(RetryPolicyTest, RetryAfterIsCappedAtOneDay) {
  EXPECT_EQ(next(with_retry_after("999999999999999999999")).delay, milliseconds(24h));
  EXPECT_EQ(next(with_retry_after("90000")).delay, milliseconds(24h));
  EXPECT_EQ(next(with_retry_after("Sat, 27 Feb 2027 10:30:00 GMT")).delay, milliseconds(24h));
}

TEST_F(RetryPolicyTest, TooManyRequestsWithoutUsableRetryAfterBacksOff) {
  for (const char* value : {"", "soon", "-5", "1.5"}) {
    RetryPolicy fresh;
    const Step step = fresh.next(with_retry_after(value), 10, kNow, rng_);
    EXPECT_EQ(step.action, Action::backoff) << value;
    EXPECT_LE(step.delay, 500ms) << value;
  }
}

TEST_F(RetryPolicyTest, ServerErrorsAndTransportFailuresBackOffWithJitterUpToTheCap) {
  for (int status : {500, 502, 503, 504, 599}) EXPECT_EQ(next(SendResult::answer(status)).action, Action::backoff);
  RetryPolicy policy;
  std::vector<milliseconds> ceilings;
  for (int i = 0; i < 10; ++i) {
    ceilings.push_back(policy.backoff().current_ceiling());
    const Step step = policy.next(SendResult::transport_failure("connect: refused"), 5, kNow, rng_);
    EXPECT_EQ(step.action, Action::backoff);
    EXPECT_LE(step.delay, ceilings.back());
  }
  EXPECT_EQ(ceilings.front(), 500ms);
  EXPECT_EQ(ceilings.back(), 30'000ms);
}

TEST_F(RetryPolicyTest, AnAnswerResetsTheBackoff) {
  for (int i = 0; i < 5; ++i) next(SendResult::answer(503));
  EXPECT_GT(policy_.backoff().current_ceiling(), 500ms);
  next(SendResult::answer(202));
  EXPECT_EQ(policy_.backoff().current_ceiling(), 500ms);
}

TEST_F(RetryPolicyTest, StatusesTheContractDoesNotListBackOff) {
  for (int status : {100, 302, 405, 408, 409, 422}) {
    EXPECT_EQ(find_rule(status), nullptr) << status;
    EXPECT_EQ(next(SendResult::answer(status)).action, Action::backoff) << status;
  }
}

TEST(RetryPolicyTable, RowsDoNotOverlap) {
  const auto table = status_table();
  for (std::size_t i = 0; i < table.size(); ++i) {
    EXPECT_LE(table[i].first, table[i].last);
    if (i > 0) {
      EXPECT_LT(table[i - 1].last, table[i].first);
    }
  }
}

}  // namespace
}  // namespace sluice::deliver
