#include "track/daily_budget.hpp"

#include <gtest/gtest.h>

namespace sluice::track {
namespace {

constexpr EpochMillis kNoon = 1'764'763'200'000;  // 2025-12-03T12:00:00Z
constexpr EpochMillis kDay = 24LL * 60 * 60 * 1000;

IngestEvent job(JobState state) {
  Job j;
  j.external_id = "id";
  j.state = state;
  return IngestEvent{kNoon, j};
}
IngestEvent worker(WorkerState state) {
  Worker w;
  w.external_id = "w1@host";
  w.state = state;
  return IngestEvent{kNoon, w};
}
IngestEvent snapshot() {
  QueueSnapshot q;
  q.name = "celery";
  return IngestEvent{kNoon, q};
}

TEST(DailyBudget, OffSendsEverything) {
  DailyBudget budget(0);
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(budget.admit(snapshot(), kNoon));
  EXPECT_FALSE(budget.near());
}

TEST(DailyBudget, NearTheBudgetOnlyFinalStatesAndOnlineOfflineGo) {
  DailyBudget budget(100);
  for (int i = 0; i < 90; ++i) ASSERT_TRUE(budget.admit(job(JobState::active), kNoon));
  EXPECT_TRUE(budget.near());
  EXPECT_FALSE(budget.admit(job(JobState::queued), kNoon));
  EXPECT_FALSE(budget.admit(job(JobState::active), kNoon));
  EXPECT_FALSE(budget.admit(job(JobState::retrying), kNoon));
  EXPECT_FALSE(budget.admit(worker(WorkerState::busy), kNoon));
  EXPECT_FALSE(budget.admit(worker(WorkerState::idle), kNoon));
  EXPECT_FALSE(budget.admit(snapshot(), kNoon));
  EXPECT_TRUE(budget.admit(job(JobState::completed), kNoon));
  EXPECT_TRUE(budget.admit(job(JobState::failed), kNoon));
  EXPECT_TRUE(budget.admit(job(JobState::cancelled), kNoon));
  EXPECT_TRUE(budget.admit(worker(WorkerState::online), kNoon));
  EXPECT_TRUE(budget.admit(worker(WorkerState::offline), kNoon));
  EXPECT_EQ(budget.today(), 95u) << "what was held back does not count";
}

TEST(DailyBudget, FinalStatesKeepFlowingPastTheBudget) {
  DailyBudget budget(10);
  for (int i = 0; i < 50; ++i) EXPECT_TRUE(budget.admit(job(JobState::completed), kNoon));
  EXPECT_EQ(budget.today(), 50u);
}

TEST(DailyBudget, ANewUtcDayStartsAtZero) {
  DailyBudget budget(10);
  for (int i = 0; i < 9; ++i) budget.admit(job(JobState::active), kNoon);
  EXPECT_FALSE(budget.admit(job(JobState::active), kNoon + kDay / 2 - 1)) << "23:59:59.999 the same day";
  EXPECT_TRUE(budget.admit(job(JobState::active), kNoon + kDay / 2)) << "midnight UTC";
  EXPECT_EQ(budget.today(), 1u);
}

}  // namespace
}  // namespace sluice::track
