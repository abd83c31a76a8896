// Stale-job selection and reconciliation in the tracker, on an injected
// clock: which jobs are stale, when they are due for a lookup again, and
// how an outcome from the result backend becomes a job event.

#include <gtest/gtest.h>

#include "common/iso_time.hpp"
#include "event_builders.hpp"

namespace sluice::track {
namespace {

using namespace testing;
using namespace std::chrono_literals;

constexpr EpochMillis kWallNow = 1795498138000;  // kT0

StaleScan scan(Harness& h, long long now_ms, std::size_t max_due = 100, EpochMillis wall = kWallNow) {
  return h.tracker.scan_stale(at_ms(now_ms), wall, 60s, max_due);
}

TEST(StaleJobs, OnlyJobsNotFinalAndSilentForTheAgeAreStale) {
  Harness h(immediate());
  h.feed(sent(kTask, kT0), 0);
  h.feed(sent(kOtherTask, kT0), 0);
  h.feed(succeeded(kOtherTask, kT0 + 1), 1000);
  EXPECT_EQ(scan(h, 59'000).stale, 0u);
  const StaleScan found = scan(h, 61'000);
  EXPECT_EQ(found.stale, 1u);
  EXPECT_EQ(found.due, std::vector<std::string>{kTask});
}

TEST(StaleJobs, AnEventMakesAJobFreshAgain) {
  Harness h(immediate());
  h.feed(sent(kTask, kT0), 0);
  h.feed(started(kTask, kT0 + 50), 50'000);
  EXPECT_EQ(scan(h, 61'000).stale, 0u);
  EXPECT_EQ(scan(h, 111'000).stale, 1u);
}

TEST(StaleJobs, ALookedUpJobStaysStaleButIsDueOnlyAfterAnotherAge) {
  Harness h(immediate());
  h.feed(sent(kTask, kT0), 0);
  EXPECT_EQ(scan(h, 60'000).due.size(), 1u);
  const StaleScan again = scan(h, 100'000);
  EXPECT_EQ(again.stale, 1u);
  EXPECT_TRUE(again.due.empty());
  EXPECT_EQ(scan(h, 120'000).due.size(), 1u);
}

TEST(StaleJobs, AScheduledJobIsStaleOnlyAnAgeAfterItsEta) {
  Harness h(immediate());
  CeleryEvent e = sent(kTask, kT0);
  e.eta = format_iso8601_millis(kWallNow + 3'600'000);
  h.feed(e, 0);
  EXPECT_EQ(scan(h, 120'000, 100, kWallNow + 120'000).stale, 0u);
  EXPECT_EQ(scan(h, 3'700'000, 100, kWallNow + 3'700'000).stale, 1u);
}

TEST(StaleJobs, DuePicksAreCappedAndTakeTurns) {
  Harness h(immediate());
  h.feed(sent(kTask, kT0), 0);
  h.feed(sent(kOtherTask, kT0), 0);
  const StaleScan first = scan(h, 60'000, 1);
  ASSERT_EQ(first.due.size(), 1u);
  EXPECT_EQ(first.stale, 2u);
  const StaleScan second = scan(h, 60'000, 1);
  ASSERT_EQ(second.due.size(), 1u);
  EXPECT_NE(first.due[0], second.due[0]);
}

TEST(StaleJobs, ASuccessFromTheBackendCompletesTheJobAndSaysWhereItCameFrom) {
  Harness h(immediate());
  h.feed(sent(kTask, kT0), 0);
  h.feed(received(kTask, kT0), 0);
  std::vector<IngestEvent> out;
  const EpochMillis done = kWallNow + 5'000;
  EXPECT_EQ(h.tracker.on_reconciled(kTask, {EventKind::task_succeeded, done, std::nullopt}, out),
            ReconcileResult::finished);
  ASSERT_EQ(out.size(), 1u);
  const Job& job = std::get<Job>(out[0].body);
  EXPECT_EQ(job.state, JobState::completed);
  EXPECT_EQ(job.previous_state, JobState::queued);
  EXPECT_EQ(job.name, "app.add");
  EXPECT_EQ(job.queue, "celery");
  EXPECT_EQ(job.worker_id, kWorkerNode);
  EXPECT_EQ(job.completed_at, done);
  EXPECT_EQ(job.extensions.source, "result_backend");
  EXPECT_EQ(out[0].timestamp, done);
  EXPECT_EQ(scan(h, 120'000).stale, 0u);
}

TEST(StaleJobs, AFailureFromTheBackendCarriesTheException) {
  Harness h(immediate());
  h.feed(sent(kTask, kT0), 0);
  std::vector<IngestEvent> out;
  h.tracker.on_reconciled(kTask, {EventKind::task_failed, kWallNow, "ValueError('boom')"}, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(std::get<Job>(out[0].body).state, JobState::failed);
  EXPECT_EQ(std::get<Job>(out[0].body).error, "ValueError('boom')");
}

TEST(StaleJobs, ALookupIsNoSignOfLife) {
  Harness h(immediate());
  h.feed(sent(kTask, kT0), 0);
  EXPECT_EQ(scan(h, 60'000).due.size(), 1u);
  std::vector<IngestEvent> out;
  EXPECT_EQ(h.tracker.on_reconciled(kTask, {EventKind::task_started, kWallNow, std::nullopt}, out),
            ReconcileResult::advanced);
  const StaleScan after = scan(h, 119'000);
  EXPECT_EQ(after.stale, 1u);  // still no event of its own
  EXPECT_TRUE(after.due.empty());
  EXPECT_EQ(scan(h, 120'000).due.size(), 1u);
}

TEST(StaleJobs, AnOutcomeForAFinishedOrUnknownJobChangesNothing) {
  Harness h(immediate());
  h.feed(sent(kTask, kT0), 0);
  h.feed(succeeded(kTask, kT0 + 1), 0);
  std::vector<IngestEvent> out;
  EXPECT_EQ(h.tracker.on_reconciled(kTask, {EventKind::task_failed, kWallNow, "E()"}, out), ReconcileResult::unknown);
  EXPECT_EQ(h.tracker.on_reconciled(kOtherTask, {EventKind::task_succeeded, kWallNow, std::nullopt}, out),
            ReconcileResult::unknown);
  EXPECT_TRUE(out.empty());
}

TEST(StaleJobs, ResultStatesMapToTheEventsTheyStandFor) {
  EXPECT_EQ(kind_of_result_status("SUCCESS"), EventKind::task_succeeded);
  EXPECT_EQ(kind_of_result_status("FAILURE"), EventKind::task_failed);
  EXPECT_EQ(kind_of_result_status("REVOKED"), EventKind::task_revoked);
  EXPECT_EQ(kind_of_result_status("STARTED"), EventKind::task_started);
  EXPECT_EQ(kind_of_result_status("RETRY"), EventKind::task_retried);
  EXPECT_EQ(kind_of_result_status("PENDING"), std::nullopt);
  EXPECT_EQ(kind_of_result_status("PROGRESS"), std::nullopt);
}

}  // namespace
}  // namespace sluice::track
