// One test per row of the state mapping (docs/ingest-contract.md §6) and
// the fields each job event carries.

#include <gtest/gtest.h>

#include "common/iso_time.hpp"
#include "event_builders.hpp"

namespace sluice::track {
namespace {

using namespace testing;
using S = JobState;

EpochMillis ms(double seconds) { return epoch_millis_from_seconds(seconds); }

TEST(TrackerMapping, SentIsQueuedWithNameQueueAndNoWorker) {
  Harness h(immediate());
  h.feed(sent(kTask, kT0));
  ASSERT_EQ(h.jobs().size(), 1u);
  const Job job = h.jobs()[0];
  EXPECT_EQ(job.external_id, kTask);
  EXPECT_EQ(job.name, "app.add");
  EXPECT_EQ(job.queue, "celery");
  EXPECT_EQ(job.state, S::queued);
  EXPECT_EQ(job.previous_state, std::nullopt);
  EXPECT_EQ(job.worker_id, std::nullopt);  // the sender of task-sent is a client
  EXPECT_EQ(job.attempt, 1);
  EXPECT_EQ(job.created_at, ms(kT0));
  EXPECT_EQ(job.root_id, kTask);
  EXPECT_EQ(job.parent_id, std::nullopt);
  EXPECT_EQ(job.extensions.exchange, "");
  EXPECT_EQ(job.extensions.routing_key, "celery");
  EXPECT_EQ(h.all[0].timestamp, ms(kT0));
}

TEST(TrackerMapping, QueueFallsBackToTheRoutingKey) {
  Harness h(immediate());
  CeleryEvent e = sent(kTask, kT0);
  e.queue.reset();
  e.routing_key = "emails";
  h.feed(e);
  EXPECT_EQ(h.jobs().at(0).queue, "emails");
}

TEST(TrackerMapping, SentWithFutureEtaIsScheduled) {
  Harness h(immediate());
  CeleryEvent future = sent(kTask, kT0);
  future.eta = format_iso8601_millis(ms(kT0) + 60'000);
  CeleryEvent past = sent(kOtherTask, kT0);
  past.eta = format_iso8601_millis(ms(kT0) - 1);
  h.feed(future);
  h.feed(past);
  ASSERT_EQ(h.jobs().size(), 2u);
  EXPECT_EQ(h.jobs()[0].state, S::scheduled);
  EXPECT_EQ(h.jobs()[0].scheduled_for, ms(kT0) + 60'000);
  EXPECT_EQ(h.jobs()[1].state, S::queued);
}

TEST(TrackerMapping, ReceivedIsQueuedOrScheduledByItsOwnTimestamp) {
  Harness h(immediate());
  CeleryEvent r = received(kTask, kT0);
  r.eta = "2026-11-24T05:29:01.698606+00:00";  // later than kT0
  h.feed(r);
  CeleryEvent replay = received(kOtherTask, kT0 + 3600);
  replay.eta = "2026-11-24T05:29:01.698606+00:00";  // earlier than that event
  h.feed(replay);
  ASSERT_EQ(h.jobs().size(), 2u);
  EXPECT_EQ(h.jobs()[0].state, S::scheduled);
  EXPECT_EQ(h.jobs()[0].worker_id, kWorkerNode);
  EXPECT_EQ(h.jobs()[0].scheduled_for, 1795498141698);
  EXPECT_EQ(h.jobs()[1].state, S::queued);
}

TEST(TrackerMapping, StartedIsActiveWithStartedAt) {
  Harness h(immediate());
  h.feed(sent(kTask, kT0));
  h.feed(started(kTask, kT0 + 1));
  const Job job = h.jobs().at(1);
  EXPECT_EQ(job.state, S::active);
  EXPECT_EQ(job.previous_state, S::queued);
  EXPECT_EQ(job.name, "app.add");
  EXPECT_EQ(job.queue, "celery");
  EXPECT_EQ(job.worker_id, kWorkerNode);
  EXPECT_EQ(job.started_at, ms(kT0 + 1));
  EXPECT_EQ(job.created_at, ms(kT0));
}

TEST(TrackerMapping, SucceededIsCompletedWithRuntime) {
  Harness h(immediate());
  h.feed(received(kTask, kT0));
  h.feed(started(kTask, kT0 + 1));
  h.feed(succeeded(kTask, kT0 + 2));
  const Job job = h.jobs().at(2);
  EXPECT_EQ(job.state, S::completed);
  EXPECT_EQ(job.previous_state, S::active);
  EXPECT_EQ(job.completed_at, ms(kT0 + 2));
  EXPECT_EQ(job.started_at, ms(kT0 + 1));
  EXPECT_EQ(job.extensions.runtime, 0.25);
  EXPECT_EQ(job.error, std::nullopt);
}

TEST(TrackerMapping, FailedCarriesErrorAndStacktrace) {
  Harness h(immediate());
  h.feed(received(kTask, kT0));
  h.feed(failed(kTask, kT0 + 1));
  const Job job = h.jobs().at(1);
  EXPECT_EQ(job.state, S::failed);
  EXPECT_EQ(job.error, "ValueError('boom')");
  EXPECT_EQ(job.stacktrace, failed(kTask, 0).traceback);
  EXPECT_EQ(job.completed_at, ms(kT0 + 1));
}

TEST(TrackerMapping, UselessExceptionWrapperGivesTheTracebacksLastLine) {
  Harness h(immediate());
  h.feed(failed(kTask, kT0, "ExceptionWithTraceback()"));
  EXPECT_EQ(h.jobs().at(0).error, "ValueError: boom");
}

TEST(TrackerMapping, RejectedIsFailedEvenAfterStarted) {
  Harness h(immediate());
  h.feed(received(kTask, kT0));
  h.feed(started(kTask, kT0 + 1));
  h.feed(rejected(kTask, kT0 + 2, false));
  EXPECT_EQ(h.states(), (std::vector<S>{S::queued, S::active, S::failed}));
  EXPECT_EQ(h.jobs().back().extensions.rejected_requeue, false);
  EXPECT_EQ(h.jobs().back().completed_at, ms(kT0 + 2));
}

TEST(TrackerMapping, RequeuedRejectionIsQueuedAndTheRedeliveryRunsAgain) {
  Harness h(immediate());
  h.feed(received(kTask, kT0));
  h.feed(started(kTask, kT0 + 1));
  h.feed(rejected(kTask, kT0 + 2, true));
  h.feed(received(kTask, kT0 + 3));  // redelivered: still queued, nothing new to say
  h.feed(started(kTask, kT0 + 4));
  h.feed(rejected(kTask, kT0 + 5, false));
  EXPECT_EQ(h.states(), (std::vector<S>{S::queued, S::active, S::queued, S::active, S::failed}));
  EXPECT_EQ(h.jobs()[2].extensions.rejected_requeue, true);
  EXPECT_EQ(h.attempts(), (std::vector<int>{1, 1, 1, 1, 1}));
}

TEST(TrackerMapping, RetriedIsRetryingWithTheRetryError) {
  Harness h(immediate());
  h.feed(received(kTask, kT0));
  h.feed(started(kTask, kT0 + 1));
  h.feed(retried(kTask, kT0 + 2));
  const Job job = h.jobs().at(2);
  EXPECT_EQ(job.state, S::retrying);
  EXPECT_EQ(job.error, "RuntimeError('flaky')");
  EXPECT_EQ(job.completed_at, std::nullopt);
}

TEST(TrackerMapping, RevokedIsCancelledWithRevokeDetails) {
  Harness h(immediate());
  h.feed(received(kTask, kT0));
  h.feed(revoked(kTask, kT0 + 1));
  const Job job = h.jobs().at(1);
  EXPECT_EQ(job.state, S::cancelled);
  EXPECT_EQ(job.extensions.revoked_terminated, true);
  EXPECT_EQ(job.extensions.revoked_signum, 15);
  EXPECT_EQ(job.extensions.revoked_expired, false);
  EXPECT_EQ(job.completed_at, ms(kT0 + 1));
}

TEST(TrackerMapping, CustomEventsSetProgressWithoutChangingState) {
  Harness h(immediate());
  h.feed(received(kTask, kT0));
  h.feed(started(kTask, kT0 + 1));
  h.feed(progress(kTask, kT0 + 2, 1, 4));
  CeleryEvent ratio = task_event("task-progress", kTask, kT0 + 3);
  ratio.progress = 0.5;
  h.feed(ratio);
  h.feed(task_event("task-checkpoint", kTask, kT0 + 4));  // no ratio: nothing to send
  h.feed(succeeded(kTask, kT0 + 5));
  h.feed(progress(kTask, kT0 + 6, 4, 4));  // after the end: nothing
  EXPECT_EQ(h.states(), (std::vector<S>{S::queued, S::active, S::active, S::active, S::completed}));
  EXPECT_EQ(h.jobs()[2].progress, 0.25);
  EXPECT_EQ(h.jobs()[2].previous_state, S::active);
  EXPECT_EQ(h.jobs()[3].progress, 0.5);
  EXPECT_EQ(h.jobs()[4].progress, std::nullopt);
}

TEST(TrackerMapping, ProgressIsClampedAndPercentagesScaled) {
  Harness h(immediate());
  h.feed(received(kTask, kT0));
  for (double value : {45.0, -2.0, 250.0}) {
    CeleryEvent e = task_event("task-progress", kTask, kT0 + 1);
    e.progress = value;
    h.feed(e);
  }
  h.feed(progress(kTask, kT0 + 2, 5, 0));  // no total: no ratio
  ASSERT_EQ(h.jobs().size(), 4u);
  EXPECT_EQ(h.jobs()[1].progress, 0.45);
  EXPECT_EQ(h.jobs()[2].progress, 0.0);
  EXPECT_EQ(h.jobs()[3].progress, 1.0);
}

TEST(TrackerMapping, EveryJobEventHasANameUnknownWhenNeverSeen) {
  Harness h(immediate());
  h.feed(started(kTask, kT0));
  EXPECT_EQ(h.jobs().at(0).name, "unknown");
  EXPECT_EQ(h.jobs().at(0).queue, std::nullopt);
}

TEST(TrackerMapping, ParentAndExpiresComeFromTheMessage) {
  Harness h(immediate());
  CeleryEvent child = sent(kTask, kT0);
  child.parent_id = kOtherTask;
  child.root_id = kOtherTask;
  child.expires = "2026-11-24T05:29:25.973383+00:00";
  h.feed(child);
  CeleryEvent retry = received(kTask, kT0 + 1, "app.add", 1);
  retry.parent_id = kTask;  // a retry's message names itself: never its own parent
  retry.root_id = kTask;
  h.feed(retry);
  h.feed(started(kTask, kT0 + 2));
  const Job job = h.jobs().back();
  EXPECT_EQ(job.parent_id, kOtherTask);
  EXPECT_EQ(job.root_id, kOtherTask);
  EXPECT_EQ(job.extensions.expires, "2026-11-24T05:29:25.973Z");
}

TEST(TrackerMapping, TimestampIsTheCeleryEventsOwnClock) {
  // tz-newyork capture (utcoffset 5): the float is UTC already.
  Harness h(immediate());
  h.feed(received(kTask, 1795498349.9234219));
  EXPECT_EQ(format_iso8601_millis(h.all.back().timestamp), "2026-11-24T05:32:29.923Z");
}

}  // namespace
}  // namespace sluice::track
