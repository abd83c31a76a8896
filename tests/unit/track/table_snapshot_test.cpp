// The table snapshot (track/table_snapshot.hpp): what a restart keeps of
// the task and worker tables, and the snapshots it refuses.

#include "track/table_snapshot.hpp"

#include <gtest/gtest.h>

#include "common/iso_time.hpp"
#include "event_builders.hpp"

namespace sluice::track {
namespace {

using namespace testing;
using namespace std::chrono_literals;

const std::string kConnection = "0b7e3f0c-4d7a-4f55-9a43-5c2e1f6d8a90";
const std::string kPlainId = "report-2026-11-24";  // not a UUID: the id lives in the string pool
const std::string kChild = "7c1d2e3f-0a1b-4c2d-8e3f-405162738495";
constexpr EpochMillis kWallT0 = 1'795'498'200'000;

SnapshotTime at(long long now_ms, EpochMillis wall_ms = kWallT0) { return {at_ms(now_ms), wall_ms}; }

// Jobs begun in every way the table remembers, and a worker in each state.
void begin_jobs(Harness& h) {
  h.feed(worker_event("worker-online", kT0), 0);
  h.feed(heartbeat(kT0 + 1, 1, 5), 1000);
  h.feed(worker_event("worker-offline", kT0 + 1, "gone@host"), 1000);
  h.feed(sent(kTask, kT0 + 1), 1000);
  h.feed(received(kTask, kT0 + 1.1), 1100);
  h.feed(started(kTask, kT0 + 1.2), 1200);
  CeleryEvent child = sent(kChild, kT0 + 2, "app.child");
  child.parent_id = kTask;
  child.root_id = kPlainId;
  child.eta = "2026-11-24T06:00:00.250+00:00";
  child.expires = "2026-11-24T07:00:00.500+00:00";
  child.exchange = "tasks";
  child.queue = "slow";
  h.feed(child, 2000);
  h.feed(sent(kPlainId, kT0 + 3, "app.report"), 3000);
  h.feed(received(kPlainId, kT0 + 3.1), 3100);
  h.feed(started(kPlainId, kT0 + 3.2), 3200);
  h.feed(retried(kPlainId, kT0 + 3.3), 3300);
  h.feed(received(kPlainId, kT0 + 4, "app.report", 1), 4000);
  h.feed(sent(kOtherTask, kT0 + 4), 4000);
  h.feed(received(kOtherTask, kT0 + 4.1), 4100);
  h.feed(started(kOtherTask, kT0 + 4.2), 4200);
  h.feed(succeeded(kOtherTask, kT0 + 4.3), 4300);
  h.tick(5000);
}

// What the tasks and the worker do after the restart.
void end_jobs(Harness& h, long long from_ms) {
  h.feed(heartbeat(kT0 + 6, 1, 6), from_ms + 1000);
  h.feed(succeeded(kTask, kT0 + 7), from_ms + 2000);
  h.feed(received(kChild, kT0 + 7.5, "app.child"), from_ms + 2500);
  h.feed(started(kChild, kT0 + 7.6), from_ms + 2600);
  h.feed(failed(kChild, kT0 + 7.7), from_ms + 2700);
  h.feed(started(kPlainId, kT0 + 8), from_ms + 3000);
  h.feed(succeeded(kPlainId, kT0 + 8.5), from_ms + 3500);
  h.feed(worker_event("worker-online", kT0 + 9, "gone@host"), from_ms + 4000);
  h.feed(heartbeat(kT0 + 9.5, 0, 8), from_ms + 4500);
  h.tick(from_ms + 5000);
}

TEST(TableSnapshot, LaterEventsAreMappedAsIfThereHadBeenNoRestart) {
  Harness before;
  begin_jobs(before);
  const std::string bytes = encode_tables(before.tracker, kConnection, at(5000));

  Harness after;
  const auto restored = restore_tables(bytes, {kConnection}, at(5000), after.tracker);
  ASSERT_TRUE(restored) << restored.error().detail;
  EXPECT_EQ(restored->tasks, 3u);  // the succeeded one is over: not saved
  EXPECT_EQ(restored->workers, 2u);
  for (const std::string& id : {kTask, kChild, kPlainId}) EXPECT_EQ(after.tracker.task(id), before.tracker.task(id));
  EXPECT_EQ(after.tracker.task(kOtherTask), std::nullopt);
  EXPECT_EQ(after.tracker.worker(kWorkerNode), before.tracker.worker(kWorkerNode));
  EXPECT_EQ(after.tracker.worker("gone@host"), before.tracker.worker("gone@host"));
  EXPECT_EQ(after.tracker.workers_by_state(), before.tracker.workers_by_state());

  const std::size_t seen = before.all.size();
  end_jobs(before, 5000);
  end_jobs(after, 5000);
  const std::vector<IngestEvent> expected(before.all.begin() + static_cast<std::ptrdiff_t>(seen), before.all.end());
  EXPECT_EQ(after.all, expected);
  const auto last_of = [&](const std::string& id) {
    Job last;
    for (const Job& job : after.jobs()) {
      if (job.external_id == id) last = job;
    }
    return last;
  };
  const Job child_failed = last_of(kChild);
  EXPECT_EQ(child_failed.state, JobState::failed);
  EXPECT_EQ(child_failed.name, "app.child");
  EXPECT_EQ(child_failed.queue, "slow");
  EXPECT_EQ(child_failed.parent_id, kTask);
  EXPECT_EQ(child_failed.root_id, kPlainId);
  EXPECT_EQ(child_failed.extensions.exchange, "tasks");
  EXPECT_EQ(child_failed.extensions.expires, "2026-11-24T07:00:00.500Z");
  EXPECT_EQ(last_of(kPlainId).attempt, 2);  // the retried report, on its second attempt
  EXPECT_EQ(last_of(kPlainId).name, "app.report");
  EXPECT_EQ(last_of(kTask).queue, "celery");
}

TEST(TableSnapshot, RestoringEmitsNothingAndAnnouncesNoWorkerAgain) {
  Harness before;
  begin_jobs(before);
  const std::string bytes = encode_tables(before.tracker, kConnection, at(5000));
  Harness after;
  ASSERT_TRUE(restore_tables(bytes, {kConnection}, at(5000), after.tracker));
  after.tick(5000);
  after.tick(9000);  // within the offline timeout of the restart
  EXPECT_TRUE(after.all.empty());
  EXPECT_EQ(after.tracker.counters().job_events + after.tracker.counters().worker_events, 0u);
  // The worker's next heartbeat: its busy reading is still on hold.
  after.feed(heartbeat(kT0 + 6, 1, 6), 9500);
  EXPECT_TRUE(after.workers().empty());
}

// A restart is no silence of a worker: it gets a whole timeout from the
// restart, and goes offline after it if it really is gone.
TEST(TableSnapshot, ARestoredWorkerThatStaysSilentGoesOfflineOneTimeoutAfterTheRestart) {
  Harness before;
  begin_jobs(before);
  const std::string bytes = encode_tables(before.tracker, kConnection, at(5000));
  Harness after;
  ASSERT_TRUE(restore_tables(bytes, {kConnection}, at(60'000, kWallT0 + 55'000), after.tracker));
  after.tick(60'000);
  EXPECT_TRUE(after.workers().empty());
  after.tick(66'500);
  ASSERT_EQ(after.workers().size(), 1u);
  EXPECT_EQ(after.workers()[0].external_id, kWorkerNode);
  EXPECT_EQ(after.workers()[0].state, WorkerState::offline);
}

// Jobs that stayed silent through the time sluiced was down are looked up
// in the result backend as soon as their reconcile age is over.
TEST(TableSnapshot, TheTimeDownCountsTowardsAJobsSilence) {
  Harness before;
  begin_jobs(before);
  const std::string bytes = encode_tables(before.tracker, kConnection, at(5000));
  Harness after;
  ASSERT_TRUE(restore_tables(bytes, {kConnection}, at(1'000'000, kWallT0 + 120'000), after.tracker));
  const StaleScan scan = after.tracker.scan_stale(at_ms(1'000'000), kWallT0 + 120'000, 60s, 10);
  EXPECT_EQ(scan.stale, 2u);  // the child waits for its ETA
  EXPECT_EQ(scan.due, (std::vector<std::string>{kTask, kPlainId}));
}

class RefusedSnapshot : public ::testing::Test {
 protected:
  RefusedSnapshot() {
    begin_jobs(before);
    bytes = encode_tables(before.tracker, kConnection, at(5000));
  }
  // Refused for `problem`, with the tracker left empty.
  void expect_refused(const std::string& snapshot, SnapshotProblem problem, SnapshotTime time = at(5000)) {
    Harness after;
    const auto restored = restore_tables(snapshot, {kConnection}, time, after.tracker);
    ASSERT_FALSE(restored);
    EXPECT_EQ(restored.error().problem, problem) << restored.error().detail;
    EXPECT_FALSE(restored.error().detail.empty());
    EXPECT_EQ(after.tracker.tracked_tasks(), 0u);
    EXPECT_EQ(after.tracker.workers_by_state(), WorkerCounts{});
  }

  Harness before;
  std::string bytes;
};

TEST_F(RefusedSnapshot, ATruncatedOne) {
  expect_refused(bytes.substr(0, bytes.size() - 1), SnapshotProblem::corrupt);
  expect_refused(bytes.substr(0, bytes.size() / 2), SnapshotProblem::corrupt);
  expect_refused(bytes.substr(0, 20), SnapshotProblem::corrupt);
  expect_refused("", SnapshotProblem::corrupt);
}

TEST_F(RefusedSnapshot, AFlippedByte) {
  for (std::size_t at_byte : {std::size_t{50}, bytes.size() / 2, bytes.size() - 5}) {
    std::string damaged = bytes;
    damaged[at_byte] = static_cast<char>(damaged[at_byte] ^ 0x10);
    expect_refused(damaged, SnapshotProblem::corrupt);
  }
}

TEST_F(RefusedSnapshot, AnotherFile) { expect_refused(std::string(200, 'x'), SnapshotProblem::corrupt); }

TEST_F(RefusedSnapshot, AnotherConnection) {
  Harness after;
  const auto restored =
      restore_tables(bytes, {"1c2d3e4f-0000-4000-8000-000000000001"}, at(5000), after.tracker);
  ASSERT_FALSE(restored);
  EXPECT_EQ(restored.error().problem, SnapshotProblem::connection);
  EXPECT_EQ(after.tracker.tracked_tasks(), 0u);
}

TEST_F(RefusedSnapshot, AFutureFormatVersion) {
  std::string future = bytes;
  future[8] = static_cast<char>(kTableSnapshotVersion + 1);  // the version follows the 8-byte magic
  expect_refused(future, SnapshotProblem::version);
}

TEST_F(RefusedSnapshot, AStaleOne) {
  expect_refused(bytes, SnapshotProblem::stale, at(5000, kWallT0 + 24 * 3'600'000 + 1));
  expect_refused(bytes, SnapshotProblem::stale, at(5000, kWallT0 - 10 * 60'000));  // saved "in the future"
  Harness after;
  const SnapshotRules within_an_hour{kConnection, 1h};
  const auto restored = restore_tables(bytes, within_an_hour, at(5000, kWallT0 + 3'600'001), after.tracker);
  ASSERT_FALSE(restored);
  EXPECT_EQ(restored.error().problem, SnapshotProblem::stale);
}

TEST(TableSnapshot, AnEmptyTrackerRoundTrips) {
  Tracker empty({});
  const std::string bytes = encode_tables(empty, kConnection, at(0));
  Tracker again({});
  const auto restored = restore_tables(bytes, {kConnection}, at(0), again);
  ASSERT_TRUE(restored);
  EXPECT_EQ(restored->tasks, 0u);
  EXPECT_EQ(restored->workers, 0u);
}

}  // namespace
}  // namespace sluice::track
