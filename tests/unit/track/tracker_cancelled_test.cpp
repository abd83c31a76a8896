// task-cancelled (Celery 5.5+): the worker killed a running task at a cold
// shutdown, after its worker-offline. The job ends cancelled; a redelivery
// of an acks_late message reopens it.

#include <gtest/gtest.h>

#include "common/iso_time.hpp"
#include "event_builders.hpp"

namespace sluice::track {
namespace {

using namespace testing;
using S = JobState;

CeleryEvent cancelled(const std::string& uuid, double ts) { return task_event("task-cancelled", uuid, ts); }

TEST(TrackerCancelled, ColdShutdownEndsTheJobCancelledAndTheWorkerOffline) {
  Harness h;
  h.feed(worker_event("worker-online", kT0), 0);
  h.feed(sent(kTask, kT0 + 1), 1000);
  h.feed(received(kTask, kT0 + 1.001), 1001);
  h.feed(started(kTask, kT0 + 1.002), 1002);
  h.feed(worker_event("worker-offline", kT0 + 5), 5000);
  const std::size_t workers_before = h.workers().size();
  h.feed(cancelled(kTask, kT0 + 4), 5001);  // stamped before the offline, published after it
  EXPECT_EQ(h.states(), (std::vector<S>{S::queued, S::active, S::cancelled}));
  const Job last = h.jobs().back();
  EXPECT_EQ(last.previous_state, S::active);
  EXPECT_EQ(last.name, "app.add");
  EXPECT_EQ(last.queue, "celery");
  EXPECT_EQ(last.worker_id, kWorkerNode);
  EXPECT_EQ(last.completed_at, epoch_millis_from_seconds(kT0 + 4));
  EXPECT_EQ(h.tracker.task(kTask)->state, S::cancelled);
  EXPECT_EQ(h.workers().size(), workers_before);  // the offline worker is not revived
  EXPECT_EQ(h.tracker.worker(kWorkerNode)->state, WorkerState::offline);
  EXPECT_EQ(h.tracker.counters().events_by_kind[static_cast<std::size_t>(EventKind::task_cancelled)], 1u);
}

TEST(TrackerCancelled, ARedeliveryReopensTheJob) {
  Harness h(immediate());
  h.feed(sent(kTask, kT0));
  h.feed(received(kTask, kT0 + 1));
  h.feed(started(kTask, kT0 + 2));
  h.feed(cancelled(kTask, kT0 + 3));
  h.feed(received(kTask, kT0 + 10));  // acks_late: the message went back to the queue
  h.feed(started(kTask, kT0 + 11));
  h.feed(succeeded(kTask, kT0 + 12));
  EXPECT_EQ(h.states(), (std::vector<S>{S::queued, S::active, S::cancelled, S::queued, S::active, S::completed}));
  EXPECT_EQ(h.attempts(), (std::vector<int>{1, 1, 1, 1, 1, 1}));
}

TEST(TrackerCancelled, ACancelAfterTheEndIsLate) {
  Harness h(immediate());
  h.feed(received(kTask, kT0));
  h.feed(started(kTask, kT0 + 1));
  h.feed(succeeded(kTask, kT0 + 2));
  h.feed(cancelled(kTask, kT0 + 3));
  EXPECT_EQ(h.states(), (std::vector<S>{S::queued, S::active, S::completed}));
  EXPECT_EQ(h.tracker.counters().late_events, 1u);
}

TEST(TrackerCancelled, ProgressAfterTheCancelChangesNothing) {
  Harness h(immediate());
  h.feed(received(kTask, kT0));
  h.feed(started(kTask, kT0 + 1));
  h.feed(cancelled(kTask, kT0 + 2));
  h.feed(progress(kTask, kT0 + 3, 1, 2));
  EXPECT_EQ(h.states(), (std::vector<S>{S::queued, S::active, S::cancelled}));
}

}  // namespace
}  // namespace sluice::track
