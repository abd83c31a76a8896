#include "source/worker_starts.hpp"

#include <gtest/gtest.h>

#include "unit/track/event_builders.hpp"

namespace sluice::source {
namespace {

using track::classify_event;
using namespace track::testing;

WorkerSignal feed(WorkerStarts& starts, const decode::CeleryEvent& event) {
  return starts.on_event(event, classify_event(event.type), event.hostname);
}

TEST(WorkerStarts, WorkerOnlineIsAStartAndItsHeartbeatsAreNot) {
  WorkerStarts starts;
  EXPECT_EQ(feed(starts, worker_event("worker-online", kT0)), WorkerSignal::appeared);
  EXPECT_EQ(feed(starts, heartbeat(kT0 + 2, 0, 0)), WorkerSignal::none);
  EXPECT_EQ(feed(starts, heartbeat(kT0 + 4, 1, 3)), WorkerSignal::none);
}

TEST(WorkerStarts, TheFirstHeartbeatOfAnUnknownWorkerIsAStart) {
  WorkerStarts starts;
  EXPECT_EQ(feed(starts, heartbeat(kT0, 0, 12)), WorkerSignal::appeared);
  EXPECT_EQ(feed(starts, heartbeat(kT0 + 2, 0, 12)), WorkerSignal::none);
}

TEST(WorkerStarts, AHeartbeatShowingARestartIsAStart) {
  WorkerStarts starts;
  feed(starts, heartbeat(kT0, 0, 40));
  EXPECT_EQ(feed(starts, heartbeat(kT0 + 2, 0, 2)), WorkerSignal::appeared);  // processed went down
  auto other_pid = heartbeat(kT0 + 4, 0, 5);
  other_pid.pid = 4711;
  EXPECT_EQ(feed(starts, other_pid), WorkerSignal::appeared);
  EXPECT_EQ(feed(starts, heartbeat(kT0 + 6, 0, 2)), WorkerSignal::appeared);  // and back to pid 100, fresh counter
}

TEST(WorkerStarts, TaskEventsAndHeartbeatAnswersShowEventsOn) {
  WorkerStarts starts;
  feed(starts, worker_event("worker-online", kT0));
  EXPECT_EQ(feed(starts, started(kTask, kT0)), WorkerSignal::has_events);
  EXPECT_EQ(feed(starts, reduced_heartbeat(kT0 + 1)), WorkerSignal::has_events);
  EXPECT_EQ(feed(starts, sent(kTask, kT0)), WorkerSignal::none);  // from a client
  EXPECT_EQ(feed(starts, progress(kTask, kT0, 1, 2)), WorkerSignal::none);  // custom events flow regardless
}

TEST(WorkerStarts, AnAnswerFromAnUnknownWorkerIsNoStart) {
  WorkerStarts starts;
  EXPECT_EQ(feed(starts, reduced_heartbeat(kT0)), WorkerSignal::has_events);
  EXPECT_EQ(feed(starts, heartbeat(kT0 + 2, 0, 0)), WorkerSignal::none);
}

TEST(WorkerStarts, OfflineIsALeaveAndTheNextSightAStart) {
  WorkerStarts starts;
  feed(starts, heartbeat(kT0, 0, 0));
  EXPECT_EQ(feed(starts, worker_event("worker-offline", kT0 + 1)), WorkerSignal::left);
  EXPECT_EQ(starts.known(), 0u);
  EXPECT_EQ(feed(starts, heartbeat(kT0 + 9, 0, 0)), WorkerSignal::appeared);
}

TEST(WorkerStarts, NodesBeyondTheBoundAreNotTracked) {
  WorkerStarts starts(2);
  EXPECT_EQ(feed(starts, heartbeat(kT0, 0, 0, "a@h")), WorkerSignal::appeared);
  EXPECT_EQ(feed(starts, heartbeat(kT0, 0, 0, "b@h")), WorkerSignal::appeared);
  EXPECT_EQ(feed(starts, heartbeat(kT0, 0, 0, "c@h")), WorkerSignal::none);
  EXPECT_EQ(feed(starts, heartbeat(kT0 + 2, 0, 0, "c@h")), WorkerSignal::none);
  EXPECT_EQ(starts.known(), 2u);
  EXPECT_EQ(feed(starts, worker_event("worker-online", kT0, "c@h")), WorkerSignal::appeared);  // still said
}

}  // namespace
}  // namespace sluice::source
