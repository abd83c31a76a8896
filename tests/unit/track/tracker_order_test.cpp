// Out-of-order, duplicate and late events; retry cycles; the reorder window
// (docs/celery-protocol.md §4.4, §6.2).

#include <gtest/gtest.h>

#include "common/iso_time.hpp"
#include "event_builders.hpp"

namespace sluice::track {
namespace {

using namespace testing;
using S = JobState;

TEST(TrackerReorder, StartedBeforeReceivedWaitsAndGoesOutWithTheName) {
  Harness h;
  EXPECT_TRUE(h.feed(started(kTask, kT0 + 1), 0).size() == 1);  // only the worker appears
  EXPECT_TRUE(h.jobs().empty());
  EXPECT_EQ(h.tracker.held_events(), 1u);
  h.feed(received(kTask, kT0), 40);  // names the task; its task-sent (the queue) may still come
  EXPECT_EQ(h.tracker.held_events(), 2u);
  h.feed(sent(kTask, kT0 - 1), 45);
  EXPECT_EQ(h.states(), (std::vector<S>{S::queued, S::active}));
  for (const Job& job : h.jobs()) EXPECT_EQ(job.name, "app.add");
  EXPECT_EQ(h.tracker.held_events(), 0u);
  EXPECT_EQ(h.tracker.counters().reorder_held, 2u);
}

TEST(TrackerReorder, WithoutTaskSentTheReceivedNamesTheHeldEvents) {
  Harness h;
  h.feed(started(kTask, kT0 + 1), 0);
  h.feed(received(kTask, kT0), 40);
  h.tick(250);  // no task-sent came: the events go, named
  EXPECT_EQ(h.states(), (std::vector<S>{S::queued, S::active}));
  for (const Job& job : h.jobs()) EXPECT_EQ(job.name, "app.add");
}

TEST(TrackerReorder, AfterTheWindowTheEventGoesOutAsItIs) {
  Harness h;
  h.feed(started(kTask, kT0), 1000);
  h.feed(succeeded(kTask, kT0 + 1), 1100);  // joins the same group, in order
  EXPECT_EQ(h.tracker.next_deadline(), at_ms(1250));
  h.tick(1249);
  EXPECT_TRUE(h.jobs().empty());
  h.tick(1250);
  EXPECT_EQ(h.states(), (std::vector<S>{S::active, S::completed}));
  EXPECT_EQ(h.jobs()[0].name, "unknown");
  EXPECT_EQ(h.tracker.counters().reorder_expired, 2u);
}

TEST(TrackerReorder, BoundedInCountTheOldestLeavesFirst) {
  TrackerOptions options;
  options.reorder_max_events = 2;
  Harness h(options);
  h.feed(started(kTask, kT0), 0);
  h.feed(succeeded(kTask, kT0 + 1), 0);
  EXPECT_TRUE(h.jobs().empty());
  h.feed(started(kOtherTask, kT0 + 2), 0);
  EXPECT_EQ(h.states(), (std::vector<S>{S::active, S::completed}));
  EXPECT_EQ(h.jobs()[0].external_id, kTask);
  EXPECT_EQ(h.tracker.counters().reorder_overflow, 2u);
  EXPECT_EQ(h.tracker.held_events(), 1u);
}

TEST(TrackerReorder, BoundedInBytesLongEventsDoNotWait) {
  TrackerOptions options;
  options.reorder_max_bytes = 8000;
  Harness h(options);
  CeleryEvent first = failed(kTask, kT0);
  first.traceback = std::string(3000, 't');
  h.feed(first, 0);
  EXPECT_EQ(h.tracker.held_events(), 1u);
  CeleryEvent second = failed(kOtherTask, kT0 + 1);
  second.traceback = std::string(5000, 't');
  h.feed(second, 0);  // does not fit beside the first: the first leaves
  EXPECT_EQ(h.tracker.held_events(), 1u);
  ASSERT_EQ(h.jobs().size(), 1u);
  EXPECT_EQ(h.jobs()[0].external_id, kTask);
  CeleryEvent huge = succeeded(kOtherTask, kT0 + 2);
  huge.traceback = std::string(10'000, 't');  // alone over the budget: the task's events go now
  h.feed(huge, 0);
  EXPECT_EQ(h.tracker.held_events(), 0u);
  EXPECT_EQ(h.jobs().size(), 2u);  // failed is terminal: the late succeeded says nothing
  EXPECT_EQ(h.jobs()[1].external_id, kOtherTask);
}

TEST(TrackerReorder, KnownTasksNeverWait) {
  Harness h;
  h.feed(sent(kTask, kT0 - 1));
  h.feed(received(kTask, kT0));
  h.feed(started(kTask, kT0 + 1));
  EXPECT_EQ(h.states(), (std::vector<S>{S::queued, S::active}));
  EXPECT_EQ(h.tracker.next_deadline().has_value(), true);  // the worker's liveness only
  EXPECT_EQ(h.tracker.held_events(), 0u);
}

TEST(TrackerOrder, LateReceivedAfterStartedDoesNotMoveBack) {
  Harness h(immediate());
  h.feed(sent(kTask, kT0));
  h.feed(started(kTask, kT0 + 2));
  h.feed(received(kTask, kT0 + 1));
  EXPECT_EQ(h.states(), (std::vector<S>{S::queued, S::active}));
  EXPECT_EQ(h.tracker.task(kTask)->state, S::active);
  EXPECT_EQ(h.tracker.counters().late_events, 1u);
}

TEST(TrackerOrder, LateEventsStillEnrichTheRecord) {
  Harness h(immediate());
  h.feed(started(kTask, kT0 + 1));
  h.feed(received(kTask, kT0, "app.mail"));  // late: names the task
  CeleryEvent late_sent = sent(kTask, kT0 - 1, "app.mail");
  late_sent.queue = "mail";
  h.feed(late_sent);  // late: gives the queue
  h.feed(succeeded(kTask, kT0 + 2));
  EXPECT_EQ(h.states(), (std::vector<S>{S::active, S::completed}));
  const Job done = h.jobs().back();
  EXPECT_EQ(done.name, "app.mail");
  EXPECT_EQ(done.queue, "mail");
  EXPECT_EQ(done.created_at, epoch_millis_from_seconds(kT0 - 1));
  EXPECT_EQ(h.tracker.counters().late_events, 2u);
}

TEST(TrackerOrder, DuplicatesAreSentOnce) {
  Harness h(immediate());
  for (int i = 0; i < 2; ++i) {
    h.feed(received(kTask, kT0));
    h.feed(started(kTask, kT0 + 1));
    h.feed(succeeded(kTask, kT0 + 2));
  }
  EXPECT_EQ(h.states(), (std::vector<S>{S::queued, S::active, S::completed}));
}

TEST(TrackerOrder, TerminalStatesAreFinal) {
  Harness h(immediate());
  h.feed(received(kTask, kT0));
  h.feed(succeeded(kTask, kT0 + 2));
  h.feed(started(kTask, kT0 + 1));
  h.feed(failed(kTask, kT0 + 3));
  h.feed(retried(kTask, kT0 + 3));
  h.feed(rejected(kTask, kT0 + 3, true));
  EXPECT_EQ(h.states(), (std::vector<S>{S::queued, S::completed}));
}

// Solo order: both task-sent first, then the worker's batch (solo.jsonl).
TEST(TrackerRetry, CycleCountsAttempts) {
  Harness h(immediate());
  h.feed(sent(kTask, kT0));
  h.feed(sent(kTask, kT0 + 0.2, "app.add", 1));  // the retry's message, announced early
  h.feed(received(kTask, kT0 + 0.1));
  h.feed(started(kTask, kT0 + 0.15));
  h.feed(retried(kTask, kT0 + 0.21));
  h.feed(received(kTask, kT0 + 0.3, "app.add", 1));
  h.feed(started(kTask, kT0 + 0.4));
  h.feed(succeeded(kTask, kT0 + 0.5));
  EXPECT_EQ(h.states(), (std::vector<S>{S::queued, S::active, S::retrying, S::queued, S::active, S::completed}));
  EXPECT_EQ(h.attempts(), (std::vector<int>{1, 1, 1, 2, 2, 2}));
  EXPECT_EQ(h.jobs()[3].previous_state, S::retrying);
  EXPECT_EQ(h.jobs()[3].started_at, std::nullopt);  // a new attempt has not started
  EXPECT_EQ(h.jobs()[4].started_at, epoch_millis_from_seconds(kT0 + 0.4));
}

// Prefork order (prefork.jsonl): the retry's task-received comes before the
// task-retried of the attempt it follows; it waits for it.
TEST(TrackerRetry, ReceivedOfTheNextAttemptWaitsForTheRetried) {
  Harness h;
  h.feed(sent(kTask, kT0), 0);
  h.feed(received(kTask, kT0 + 0.01), 1);
  h.feed(started(kTask, kT0 + 0.02), 2);
  h.feed(sent(kTask, kT0 + 0.03, "app.add", 1), 3);
  CeleryEvent next = received(kTask, kT0 + 0.04, "app.add", 1);
  next.eta = "2026-11-24T05:30:00+00:00";  // a countdown
  h.feed(next, 4);
  EXPECT_EQ(h.tracker.held_events(), 1u);
  h.feed(retried(kTask, kT0 + 0.035), 5);
  h.feed(started(kTask, kT0 + 62), 6);
  h.feed(succeeded(kTask, kT0 + 63), 7);
  EXPECT_EQ(h.states(), (std::vector<S>{S::queued, S::active, S::retrying, S::scheduled, S::active, S::completed}));
  EXPECT_EQ(h.attempts(), (std::vector<int>{1, 1, 1, 2, 2, 2}));
}

TEST(TrackerRetry, LostRetriedStillStartsTheNextAttemptAndALateOneIsIgnored) {
  Harness h;
  h.feed(received(kTask, kT0), 0);
  h.feed(started(kTask, kT0 + 1), 0);
  h.feed(received(kTask, kT0 + 2, "app.add", 1), 0);
  h.tick(250);
  h.feed(retried(kTask, kT0 + 1.5), 300);  // the attempt it ends is over
  h.feed(started(kTask, kT0 + 3), 300);
  h.feed(failed(kTask, kT0 + 4), 300);
  EXPECT_EQ(h.states(), (std::vector<S>{S::queued, S::active, S::queued, S::active, S::failed}));
  EXPECT_EQ(h.attempts(), (std::vector<int>{1, 1, 2, 2, 2}));
}

TEST(TrackerRetry, TwoRetriesThenFailure) {
  Harness h(immediate());
  h.feed(received(kTask, kT0));
  for (int attempt = 0; attempt < 3; ++attempt) {
    const double base = kT0 + attempt * 10;
    if (attempt > 0) h.feed(received(kTask, base, "app.add", attempt));
    h.feed(started(kTask, base + 1));
    h.feed(attempt < 2 ? retried(kTask, base + 2) : failed(kTask, base + 2));
  }
  EXPECT_EQ(h.states(), (std::vector<S>{S::queued, S::active, S::retrying, S::queued, S::active, S::retrying, S::queued,
                                        S::active, S::failed}));
  EXPECT_EQ(h.attempts(), (std::vector<int>{1, 1, 1, 2, 2, 2, 3, 3, 3}));
}

TEST(TrackerRetry, StaleEventsOfAnOlderAttemptAreLate) {
  Harness h(immediate());
  h.feed(received(kTask, kT0));
  h.feed(started(kTask, kT0 + 1));
  h.feed(retried(kTask, kT0 + 2));
  h.feed(received(kTask, kT0 + 0.5));  // attempt 1 again: stale
  h.feed(received(kTask, kT0 + 3, "app.add", 1));
  h.feed(sent(kTask, kT0 - 1));  // attempt 1's task-sent, very late
  EXPECT_EQ(h.states(), (std::vector<S>{S::queued, S::active, S::retrying, S::queued}));
  EXPECT_EQ(h.attempts().back(), 2);
}

TEST(TrackerRetry, AnyEventAfterRetryingStartsTheNextAttempt) {
  Harness h(immediate());
  h.feed(received(kTask, kT0));
  h.feed(retried(kTask, kT0 + 1));
  h.feed(started(kTask, kT0 + 2));  // its task-received was missed
  EXPECT_EQ(h.states(), (std::vector<S>{S::queued, S::retrying, S::active}));
  EXPECT_EQ(h.attempts(), (std::vector<int>{1, 1, 2}));
}

}  // namespace
}  // namespace sluice::track
