// Worker states, liveness by timeout, the busy/idle hold and refresh
// coalescing (docs/ingest-contract.md §5–§6.1, docs/celery-protocol.md §4.2, §8).

#include <gtest/gtest.h>

#include "common/iso_time.hpp"
#include "event_builders.hpp"

namespace sluice::track {
namespace {

using namespace testing;
using W = WorkerState;

std::vector<W> states(const std::vector<Worker>& workers) {
  std::vector<W> result;
  for (const auto& w : workers) result.push_back(w.state);
  return result;
}

// Without the hold every heartbeat's reading is sent as it changes.
TrackerOptions no_hold() {
  TrackerOptions options;
  options.worker_state_hold = std::chrono::milliseconds(0);
  options.worker_state_min_interval = std::chrono::milliseconds(0);
  return options;
}

TEST(TrackerWorkers, OnlineIdleBusyOffline) {
  Harness h(no_hold());
  h.feed(worker_event("worker-online", kT0), 0);
  h.feed(heartbeat(kT0 + 2, 0, 0), 2000);
  h.feed(heartbeat(kT0 + 4, 2, 1), 4000);
  h.feed(worker_event("worker-offline", kT0 + 5), 5000);
  EXPECT_EQ(states(h.workers()), (std::vector<W>{W::online, W::idle, W::busy, W::offline}));
  const Worker busy = h.workers()[2];
  EXPECT_EQ(busy.external_id, kWorkerNode);
  EXPECT_EQ(busy.hostname, kWorkerNode);
  EXPECT_EQ(busy.pid, 4242);
  EXPECT_EQ(busy.active_jobs, 2);
  EXPECT_EQ(busy.processed_total, 1);
  EXPECT_EQ(busy.last_heartbeat, epoch_millis_from_seconds(kT0 + 4));
  EXPECT_EQ(busy.metadata.software, "py-celery 5.2.6");
  EXPECT_EQ(busy.metadata.system, "Linux");
  EXPECT_EQ(busy.metadata.loadavg, (std::vector<double>{0.12, 0.11, 0.04}));
  EXPECT_EQ(busy.metadata.heartbeat_interval, 2.0);
  EXPECT_EQ(h.all[2].timestamp, epoch_millis_from_seconds(kT0 + 4));
  EXPECT_EQ(h.tracker.workers_by_state(), (WorkerCounts{0, 0, 0, 1}));
}

TEST(TrackerWorkers, HeartbeatsAreCoalescedToTheRefreshInterval) {
  TrackerOptions options;
  options.worker_refresh_interval = std::chrono::seconds(30);
  Harness h(options);
  for (int i = 0; i <= 40; ++i) h.feed(heartbeat(kT0 + 2 * i, 0, i), 2000LL * i);  // 80 s
  // The first (a new worker), then one refresh every 30 s: at 30 s and 60 s.
  ASSERT_EQ(h.workers().size(), 3u);
  EXPECT_EQ(h.workers()[1].processed_total, 15);
  EXPECT_EQ(h.workers()[2].processed_total, 30);
}

TEST(TrackerWorkers, AnIdleWorkerCostsOneRefreshEveryFiveMinutesByDefault) {
  Harness h;
  for (int i = 0; i <= 1800; ++i) h.feed(heartbeat(kT0 + 2 * i, 0, 0), 2000LL * i);  // one hour
  // Its first state, then a refresh at 5, 10, … 60 minutes.
  EXPECT_EQ(h.workers().size(), 13u);
  EXPECT_EQ(h.tracker.counters().worker_refreshes, 12u);
  EXPECT_EQ(h.tracker.counters().worker_changes_coalesced, 0u);
}

TEST(TrackerWorkers, AFlappingWorkerCostsNoStateEventsAndTheFlipsAreCounted) {
  Harness h;
  h.feed(worker_event("worker-online", kT0), 0);
  // busy on every other heartbeat for 4 minutes 40 s (before the first refresh): 140 flips.
  for (int i = 1; i <= 140; ++i) h.feed(heartbeat(kT0 + 2 * i, i % 2, i), 2000LL * i);
  EXPECT_EQ(states(h.workers()), (std::vector<W>{W::online}));
  EXPECT_EQ(h.tracker.counters().worker_changes_coalesced, 139u);  // the last one is still pending
  EXPECT_EQ(h.tracker.counters().worker_events_by_state[static_cast<std::size_t>(W::online)], 1u);
  h.feed(worker_event("worker-offline", kT0 + 282), 282'000);
  EXPECT_EQ(states(h.workers()), (std::vector<W>{W::online, W::offline}));
  EXPECT_EQ(h.tracker.counters().worker_changes_coalesced, 140u);
}

TEST(TrackerWorkers, ABusySpellThatHoldsIsSentWithItsActiveJobs) {
  Harness h;
  h.feed(worker_event("worker-online", kT0), 0);
  h.feed(heartbeat(kT0 + 2, 0, 0), 2000);
  h.feed(heartbeat(kT0 + 12, 0, 0), 12'000);  // idle held 10 s
  h.feed(heartbeat(kT0 + 80, 3, 5), 80'000);
  h.feed(heartbeat(kT0 + 88, 4, 6), 88'000);
  EXPECT_EQ(states(h.workers()), (std::vector<W>{W::online, W::idle}));
  h.feed(heartbeat(kT0 + 90, 2, 7), 90'000);  // busy since 80 s
  ASSERT_EQ(states(h.workers()), (std::vector<W>{W::online, W::idle, W::busy}));
  EXPECT_EQ(h.workers().back().active_jobs, 2);  // the reading of the heartbeat that sent it
  EXPECT_EQ(h.workers().back().processed_total, 7);
  EXPECT_EQ(h.all.back().timestamp, epoch_millis_from_seconds(kT0 + 90));
  EXPECT_EQ(h.tracker.workers_by_state(), (WorkerCounts{0, 1, 0, 0}));
}

TEST(TrackerWorkers, OnlineAndOfflineAreSentAtOnceWhateverIsHeld) {
  Harness h;
  h.feed(heartbeat(kT0, 0, 0), 0);  // a first state is sent at once
  h.feed(heartbeat(kT0 + 2, 1, 1), 2000);
  h.feed(worker_event("worker-offline", kT0 + 3), 3000);
  h.feed(worker_event("worker-online", kT0 + 10), 10'000);
  EXPECT_EQ(states(h.workers()), (std::vector<W>{W::idle, W::offline, W::online}));
}

TEST(TrackerWorkers, ARefreshRepeatsTheStateSentNotAPendingOne) {
  TrackerOptions options;
  options.worker_refresh_interval = std::chrono::seconds(30);
  Harness h(options);
  h.feed(heartbeat(kT0, 0, 0), 0);
  for (int i = 1; i <= 16; ++i) h.feed(heartbeat(kT0 + 2 * i, i % 2, i), 2000LL * i);  // flapping
  ASSERT_EQ(states(h.workers()), (std::vector<W>{W::idle, W::idle}));
  // Sent with heartbeat 15 (30 s): the state held, the count as it is now.
  EXPECT_EQ(h.workers().back().active_jobs, 1);
  EXPECT_EQ(h.tracker.counters().worker_refreshes, 1u);
}

TEST(TrackerWorkers, LoadAverageKeepsThreeValues) {
  Harness h;
  CeleryEvent e = heartbeat(kT0, 0, 0);
  e.loadavg = std::vector<double>(1000, 1.5);
  h.feed(e, 0);
  EXPECT_EQ(h.tracker.worker(kWorkerNode)->metadata.loadavg, (std::vector<double>{1.5, 1.5, 1.5}));
}

TEST(TrackerWorkers, ReducedHeartbeatKeepsCountsAndSendsNothing) {
  Harness h;
  h.feed(heartbeat(kT0, 3, 17), 0);
  h.feed(reduced_heartbeat(kT0 + 1), 1000);
  ASSERT_EQ(h.workers().size(), 1u);
  const Worker now = *h.tracker.worker(kWorkerNode);
  EXPECT_EQ(now.state, W::busy);
  EXPECT_EQ(now.active_jobs, 3);
  EXPECT_EQ(now.processed_total, 17);
  EXPECT_EQ(now.metadata.heartbeat_interval, 2.0);  // not the broadcast's 5
  EXPECT_EQ(now.last_heartbeat, epoch_millis_from_seconds(kT0 + 1));
}

TEST(TrackerWorkers, OfflineWhenSilentLongerThanTheTimeout) {
  Harness h;  // offline timeout 6 s
  h.feed(heartbeat(kT0, 0, 0), 10'000);
  EXPECT_EQ(h.tracker.next_deadline(), at_ms(16'000));
  h.tick(15'999);
  EXPECT_EQ(h.workers().size(), 1u);
  h.tick(16'000);
  ASSERT_EQ(h.workers().size(), 2u);
  EXPECT_EQ(h.workers()[1].state, W::offline);
  // Dated on the worker's clock: its last heartbeat plus the silence.
  EXPECT_EQ(h.all.back().timestamp, epoch_millis_from_seconds(kT0) + 6000);
  EXPECT_EQ(h.tracker.next_deadline(), std::nullopt);
  h.tick(60'000);
  EXPECT_EQ(h.workers().size(), 2u);
  h.feed(heartbeat(kT0 + 50, 0, 0), 60'000);  // back
  EXPECT_EQ(h.workers().back().state, W::idle);
}

// The offline event's timestamp is the moment the timeout ran out, however
// late the tick: two instances of an HA pair must date it alike.
TEST(TrackerWorkers, OfflineByTimeoutIsDatedByTheTimeoutNotByTheTick) {
  Harness h;  // offline timeout 6 s
  h.feed(heartbeat(kT0, 0, 0), 10'000);
  h.tick(17'345);
  ASSERT_EQ(h.workers().size(), 2u);
  EXPECT_EQ(h.workers()[1].state, W::offline);
  EXPECT_EQ(h.all.back().timestamp, epoch_millis_from_seconds(kT0) + 6000);
}

TEST(TrackerWorkers, TaskEventsAreSignsOfLife) {
  Harness h(immediate());
  h.feed(heartbeat(kT0, 1, 0), 0);
  h.feed(received(kTask, kT0 + 5), 5000);
  h.tick(10'000);
  EXPECT_EQ(h.workers().size(), 1u);  // still alive: seen at 5 s
  h.tick(11'000);
  EXPECT_EQ(h.workers().back().state, W::offline);
  h.feed(started(kTask, kT0 + 20), 20'000);  // a long solo task ended: alive again
  EXPECT_EQ(h.workers().back().state, W::online);
}

TEST(TrackerWorkers, TaskEventsDoNotReviveAWorkerThatSaidOffline) {
  Harness h(immediate());
  h.feed(heartbeat(kT0, 0, 0), 0);
  h.feed(worker_event("worker-offline", kT0 + 1), 1000);
  h.feed(succeeded(kTask, kT0 + 0.5), 1100);  // buffered before the shutdown
  EXPECT_EQ(h.tracker.worker(kWorkerNode)->state, W::offline);
  h.feed(worker_event("worker-online", kT0 + 9), 9000);
  EXPECT_EQ(h.tracker.worker(kWorkerNode)->state, W::online);
}

TEST(TrackerWorkers, TaskSentNeverCreatesAWorker) {
  Harness h(immediate());
  h.feed(sent(kTask, kT0));
  EXPECT_EQ(h.workers().size(), 0u);
  h.feed(received(kTask, kT0));
  ASSERT_EQ(h.workers().size(), 1u);
  EXPECT_EQ(h.workers()[0].state, W::online);
  EXPECT_EQ(h.workers()[0].external_id, kWorkerNode);
}

TEST(TrackerWorkers, SlowHeartbeatsStretchTheTimeout) {
  Harness h;
  CeleryEvent slow = heartbeat(kT0, 0, 0);
  slow.freq = 10.0;
  h.feed(slow, 0);
  EXPECT_EQ(h.tracker.next_deadline(), at_ms(20'000));  // 2 x freq > 6 s
}

TEST(TrackerWorkers, TheWorkerTableIsBounded) {
  TrackerOptions options;
  options.max_workers = 2;
  Harness h(options);
  h.feed(heartbeat(kT0, 0, 0, "a@h"), 0);
  h.feed(worker_event("worker-offline", kT0, "a@h"), 0);
  h.feed(heartbeat(kT0, 0, 0, "b@h"), 1);
  h.feed(heartbeat(kT0, 0, 0, "c@h"), 2);
  EXPECT_FALSE(h.tracker.worker("a@h").has_value());  // the offline one went first
  EXPECT_TRUE(h.tracker.worker("b@h").has_value());
  EXPECT_TRUE(h.tracker.worker("c@h").has_value());
  EXPECT_EQ(h.tracker.counters().worker_evictions, 1u);
}

}  // namespace
}  // namespace sluice::track
