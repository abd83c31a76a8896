#include "track/job_transition.hpp"

#include <gtest/gtest.h>

namespace sluice::track {
namespace {

using K = EventKind;
using P = Phase;

struct Row {
  P current;
  std::uint16_t attempt;
  bool jumped;
  K kind;
  P target;
  std::optional<long long> retries;
  bool accepted;
  P phase;
  std::uint16_t new_attempt;
};

TEST(JobTransition, FollowsThePrecedenceTable) {
  const Row rows[] = {
      // first event: anything applies
      {P::none, 1, false, K::task_started, P::active, {}, true, P::active, 1},
      {P::none, 1, false, K::task_received, P::queued, 2, true, P::queued, 3},
      // forward within an attempt
      {P::queued, 1, false, K::task_started, P::active, {}, true, P::active, 1},
      {P::scheduled, 1, false, K::task_received, P::queued, 0, true, P::queued, 1},
      {P::active, 1, false, K::task_succeeded, P::completed, {}, true, P::completed, 1},
      {P::queued, 1, false, K::task_revoked, P::cancelled, {}, true, P::cancelled, 1},
      // backwards within an attempt: late
      {P::active, 1, false, K::task_received, P::queued, 0, false, P::active, 1},
      {P::active, 1, false, K::task_sent, P::queued, 0, false, P::active, 1},
      // terminal is final
      {P::completed, 1, false, K::task_failed, P::failed, {}, false, P::completed, 1},
      {P::failed, 1, false, K::task_retried, P::retrying, {}, false, P::failed, 1},
      {P::cancelled, 1, false, K::task_rejected, P::requeued, {}, false, P::cancelled, 1},
      // rejections apply even after started (Celery would keep STARTED)
      {P::active, 1, false, K::task_rejected, P::failed, {}, true, P::failed, 1},
      {P::active, 1, false, K::task_rejected, P::requeued, {}, true, P::requeued, 1},
      {P::requeued, 1, false, K::task_received, P::queued, 0, true, P::queued, 1},
      {P::requeued, 2, false, K::task_received, P::queued, 0, false, P::requeued, 2},
      // task-cancelled (5.5+ cold shutdown): cancelled, reopened by a redelivery
      {P::active, 1, false, K::task_cancelled, P::interrupted, {}, true, P::interrupted, 1},
      {P::none, 1, false, K::task_cancelled, P::interrupted, {}, true, P::interrupted, 1},
      {P::completed, 1, false, K::task_cancelled, P::interrupted, {}, false, P::completed, 1},
      {P::interrupted, 1, false, K::task_received, P::queued, 0, true, P::queued, 1},
      {P::interrupted, 2, false, K::task_received, P::queued, 0, false, P::interrupted, 2},
      // retry cycles
      {P::active, 1, false, K::task_retried, P::retrying, {}, true, P::retrying, 1},
      {P::retrying, 1, false, K::task_received, P::scheduled, 1, true, P::scheduled, 2},
      {P::retrying, 1, false, K::task_received, P::queued, 0, false, P::retrying, 1},
      {P::retrying, 2, false, K::task_started, P::active, {}, true, P::active, 3},
      {P::active, 1, false, K::task_sent, P::queued, 1, false, P::active, 1},  // announced early
      {P::active, 1, false, K::task_received, P::queued, 1, true, P::queued, 2},
      {P::queued, 2, true, K::task_retried, P::retrying, {}, false, P::queued, 2},
      {P::active, 2, true, K::task_retried, P::retrying, {}, true, P::retrying, 2},
      {P::queued, 3, false, K::task_sent, P::queued, 1, false, P::queued, 3},
  };
  for (const Row& row : rows) {
    const Transition t = decide_transition({row.current, row.attempt, row.jumped, row.kind, row.target, row.retries});
    EXPECT_EQ(t.accepted, row.accepted) << to_string(row.kind) << " in phase " << static_cast<int>(row.current);
    EXPECT_EQ(t.phase, row.phase) << to_string(row.kind) << " in phase " << static_cast<int>(row.current);
    EXPECT_EQ(t.attempt, row.new_attempt) << to_string(row.kind) << " in phase " << static_cast<int>(row.current);
  }
}

TEST(JobTransition, TargetPhases) {
  EXPECT_EQ(target_phase(K::task_sent, true, false), P::scheduled);
  EXPECT_EQ(target_phase(K::task_received, false, false), P::queued);
  EXPECT_EQ(target_phase(K::task_rejected, false, true), P::requeued);
  EXPECT_EQ(target_phase(K::task_rejected, false, false), P::failed);
  EXPECT_EQ(job_state_of(P::requeued), JobState::queued);
  EXPECT_EQ(target_phase(K::task_cancelled, false, false), P::interrupted);
  EXPECT_EQ(job_state_of(P::interrupted), JobState::cancelled);
  EXPECT_FALSE(is_terminal(P::interrupted));  // a redelivery reopens it
  EXPECT_TRUE(has_ended(P::interrupted));     // yet it gets a completedAt
}

TEST(JobTransition, HugeRetriesAreClamped) {
  const Transition t = decide_transition({P::none, 1, false, K::task_received, P::queued, 1LL << 40});
  EXPECT_EQ(t.attempt, 65535);
}

TEST(JobTransition, OnlyANewerAttemptsReceivedWaitsForRetried) {
  EXPECT_TRUE(awaits_retried(P::active, 1, K::task_received, 1));
  EXPECT_FALSE(awaits_retried(P::active, 1, K::task_received, 0));
  EXPECT_FALSE(awaits_retried(P::retrying, 1, K::task_received, 1));
  EXPECT_FALSE(awaits_retried(P::active, 1, K::task_sent, 1));
}

}  // namespace
}  // namespace sluice::track
