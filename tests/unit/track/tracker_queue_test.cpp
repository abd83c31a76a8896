// The queue on every job event: a task-sent (the only event that names the
// queue) that arrives after the worker's task-received/task-started.
// The client publishes task-sent after the task message, on its own
// connection, so the worker can take the message and publish its events
// first; the worker batches received and started into one task.multi.

#include <gtest/gtest.h>

#include "event_builders.hpp"

namespace sluice::track {
namespace {

using namespace testing;
using S = JobState;

CeleryEvent sent_to(const std::string& uuid, double ts, const std::string& queue) {
  CeleryEvent e = sent(uuid, ts);
  e.queue = queue;
  e.routing_key = queue;
  return e;
}

std::string nth_task(int i) { return "00000000-0000-4000-8000-" + std::to_string(100000000000LL + i); }

void expect_every_job_has_queue(const Harness& h, const std::string& queue) {
  ASSERT_FALSE(h.jobs().empty());
  for (const Job& job : h.jobs()) {
    EXPECT_EQ(job.queue, queue) << job.external_id << " " << to_string(job.state);
  }
}

TEST(TrackerQueue, ReceivedAndStartedBeforeTheirSentWaitForTheQueue) {
  Harness h;
  h.feed(sent_to(kOtherTask, kT0 - 1, "mail"), 0);  // this producer sends task-sent
  // One task.multi [received, started], then the client's task-sent.
  h.feed(received(kTask, kT0 + 0.002), 10);
  h.feed(started(kTask, kT0 + 0.003), 10);
  EXPECT_EQ(h.tracker.held_events(), 2u);
  EXPECT_EQ(h.jobs().size(), 1u);  // only kOtherTask's
  h.feed(sent_to(kTask, kT0, "mail"), 15);
  EXPECT_EQ(h.tracker.held_events(), 0u);
  EXPECT_EQ(h.states(), (std::vector<S>{S::queued, S::queued, S::active}));
  expect_every_job_has_queue(h, "mail");
  EXPECT_EQ(h.tracker.counters().reorder_expired, 0u);
}

TEST(TrackerQueue, StartedThenReceivedThenSentAllCarryTheQueue) {
  Harness h;
  h.feed(sent_to(kOtherTask, kT0 - 1, "mail"), 0);
  h.feed(started(kTask, kT0 + 0.003), 10);
  h.feed(received(kTask, kT0 + 0.002), 11);  // names the task, but the queue is still due
  EXPECT_EQ(h.tracker.held_events(), 2u);
  h.feed(sent_to(kTask, kT0, "mail"), 12);
  EXPECT_EQ(h.states(), (std::vector<S>{S::queued, S::queued, S::active}));
  expect_every_job_has_queue(h, "mail");
}

// The fault run's traffic: 151 tasks at 4/s, three of whose task-sent came
// after the worker's received and started (batched together).
TEST(TrackerQueue, EveryJobEventOfAFaultRunCarriesTheQueue) {
  Harness h;
  long long now = 0;
  for (int i = 0; i < 151; ++i) {
    const std::string uuid = nth_task(i);
    const double ts = kT0 + i * 0.25;
    now = i * 250;
    h.tick(now);
    if (i == 17 || i == 80 || i == 149) {
      h.feed(received(uuid, ts + 0.002), now + 3);
      h.feed(started(uuid, ts + 0.003), now + 3);
      h.feed(sent_to(uuid, ts, "mail"), now + 5);
    } else {
      h.feed(sent_to(uuid, ts, "mail"), now);
      h.feed(received(uuid, ts + 0.002), now + 3);
      h.feed(started(uuid, ts + 0.003), now + 3);
    }
    h.feed(succeeded(uuid, ts + 0.1), now + 100);
  }
  h.tick(now + 10'000);
  EXPECT_EQ(h.jobs().size(), 151u * 3);
  expect_every_job_has_queue(h, "mail");
}

// The first task after a start waits too: its task-sent may be on the way.
TEST(TrackerQueue, TheFirstTaskSeenGetsItsQueue) {
  Harness h;
  h.feed(received(kTask, kT0 + 0.002), 0);
  h.feed(started(kTask, kT0 + 0.003), 0);
  h.feed(sent_to(kTask, kT0, "mail"), 3);
  EXPECT_EQ(h.states(), (std::vector<S>{S::queued, S::active}));
  expect_every_job_has_queue(h, "mail");
}

// Producers with task_send_sent_event=False (Celery's default): the first
// twenty tasks wait one window each, then nothing waits.
TEST(TrackerQueue, WithoutTaskSentEventsOnlyTheFirstTwentyTasksWait) {
  Harness h;
  for (int i = 0; i < 20; ++i) {
    h.feed(received(nth_task(i), kT0 + i), 1000 * i);
    EXPECT_EQ(h.tracker.held_events(), 1u) << i;
    h.tick(1000 * i + 250);
    EXPECT_EQ(h.jobs().size(), i + 1u);
  }
  h.feed(received(kTask, kT0 + 30), 30'000);
  h.feed(started(kTask, kT0 + 31), 30'000);
  EXPECT_EQ(h.tracker.held_events(), 0u);
  EXPECT_EQ(h.jobs().size(), 22u);
}

TEST(TrackerQueue, ATaskSentThatNeverComesCostsOneWindow) {
  Harness h;
  h.feed(sent_to(kOtherTask, kT0 - 1, "mail"), 0);
  h.feed(received(kTask, kT0), 1000);
  h.feed(started(kTask, kT0 + 0.1), 1100);
  h.tick(1249);
  EXPECT_EQ(h.jobs().size(), 1u);
  h.tick(1250);
  EXPECT_EQ(h.states(), (std::vector<S>{S::queued, S::queued, S::active}));
  EXPECT_EQ(h.jobs()[1].name, "app.add");
  EXPECT_EQ(h.jobs()[1].queue, std::nullopt);
  EXPECT_EQ(h.tracker.counters().reorder_expired, 2u);
}

TEST(TrackerQueue, StopsWaitingAfterTwentyMissesUntilTheNextTaskSent) {
  Harness h;
  h.feed(sent_to(kOtherTask, kT0 - 1, "mail"), 0);
  long long now = 0;
  for (int i = 0; i < 20; ++i) {  // producers that stopped sending task-sent
    now = 1000 * (i + 1);
    h.feed(received(nth_task(i), kT0 + i), now);
    EXPECT_EQ(h.tracker.held_events(), 1u) << i;
    h.tick(now + 250);
  }
  h.feed(received(kTask, kT0 + 30), now + 1000);
  EXPECT_EQ(h.tracker.held_events(), 0u);  // no longer waits
  h.feed(sent_to(kOtherTask, kT0 + 31, "mail"), now + 1001);
  h.feed(received("00000000-0000-4000-8000-999999999999", kT0 + 32), now + 1002);
  EXPECT_EQ(h.tracker.held_events(), 1u);  // task-sent is back: waits again
}

}  // namespace
}  // namespace sluice::track
