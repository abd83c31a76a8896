// Stream diagnostics (README "Diagnostics"): each one fires for a sequence
// that causes it and stays silent for healthy ones — idle workers, the
// normal sent → received → started → succeeded flow, small drift, worker
// restarts. Both clocks are injected: local wall time is kT0 + the steady
// offset, so a heartbeat stamped kT0 + t seconds has no drift.

#include "track/stream_diagnostics.hpp"

#include <gtest/gtest.h>

#include "event_builders.hpp"

namespace sluice::track {
namespace {

using namespace testing;
using namespace std::chrono_literals;

class Diagnostics {
 public:
  explicit Diagnostics(StreamDiagnosticsOptions options = {}) : diagnostics(options) {}

  // `event` received at `ms` on both local clocks.
  void feed(const CeleryEvent& event, long long ms) { diagnostics.on_event(event, at_ms(ms), kT0 + ms / 1000.0); }
  void broadcast(long long ms) { diagnostics.on_enable_events_broadcast(at_ms(ms)); }
  std::vector<std::string> ids(long long ms) {
    std::vector<std::string> out;
    for (const auto& w : diagnostics.evaluate(at_ms(ms))) out.push_back(w.id);
    return out;
  }
  std::string message(long long ms, std::string_view id) {
    for (const auto& w : diagnostics.evaluate(at_ms(ms))) {
      if (w.id == id) return w.message;
    }
    return "";
  }
  // A worker heartbeat stamped `drift` seconds off local time.
  void heartbeat_at(long long ms, long long processed, double drift = 0, const std::string& node = kWorkerNode) {
    feed(heartbeat(kT0 + ms / 1000.0 + drift, 0, processed, node), ms);
  }
  // A (re)started worker: worker-online with its counter back at 0.
  void online_at(long long ms) {
    auto online = worker_event("worker-online", kT0 + ms / 1000.0);
    online.processed = 0;
    feed(online, ms);
  }
  // One task's healthy lifecycle, all events received at `ms`.
  void task_run(const std::string& uuid, long long ms, const std::string& node = kWorkerNode) {
    feed(sent(uuid, kT0), ms);
    worker_side_run(uuid, ms, node);
  }
  // The same from a producer without task_send_sent_event: no task-sent.
  void worker_side_run(const std::string& uuid, long long ms, const std::string& node = kWorkerNode) {
    for (auto e : {received(uuid, kT0), started(uuid, kT0), succeeded(uuid, kT0)}) {
      e.hostname = node;
      feed(e, ms);
    }
  }

  StreamDiagnostics diagnostics;
};

using Ids = std::vector<std::string>;
const std::string kDrift(kWorkerClockDrift);
const std::string kSilent(kTaskEventsDisabled);
const std::string kSentMissing(kTaskSentEventsMissing);

std::string task_id(int i) { return "00000000-0000-4000-8000-" + std::to_string(100000000000LL + i); }

// --- clock drift ---------------------------------------------------------

TEST(ClockDrift, TwoHeartbeatsOffByMoreThan16sWarnOnce) {
  Diagnostics d;
  d.heartbeat_at(0, 0, 30);
  EXPECT_EQ(d.ids(100), Ids{}) << "one heartbeat is not enough";
  d.heartbeat_at(2000, 0, 30.4);
  EXPECT_EQ(d.ids(2100), Ids{kDrift});
  const std::string message = d.message(2100, kDrift);
  EXPECT_NE(message.find("worker w1@host is 30s ahead of local time"), std::string::npos) << message;
  EXPECT_NE(message.find("NTP"), std::string::npos) << message;
  EXPECT_NEAR(d.diagnostics.max_clock_drift_seconds(), 30.4, 1e-3);
}

TEST(ClockDrift, ABehindClockNamesTheWorstOfSeveralWorkers) {
  Diagnostics d;
  for (long long ms : {0, 2000}) {
    d.heartbeat_at(ms, 0, -20, "a@host");
    d.heartbeat_at(ms, 0, -45, "b@host");
  }
  EXPECT_NE(d.message(2100, kDrift).find("worker b@host (and 1 more worker) is 45s behind"), std::string::npos)
      << d.message(2100, kDrift);
}

TEST(ClockDrift, SmallDriftStaysSilent) {
  Diagnostics d;
  for (int i = 0; i < 10; ++i) d.heartbeat_at(2000LL * i, 0, i % 2 ? 15.9 : -15.9);
  EXPECT_EQ(d.ids(20'000), Ids{});
}

TEST(ClockDrift, AnInRangeHeartbeatEndsTheStreakAndClearsTheWarning) {
  Diagnostics d;
  d.heartbeat_at(0, 0, 20);
  d.heartbeat_at(2000, 0, 1);
  d.heartbeat_at(4000, 0, 20);
  EXPECT_EQ(d.ids(4100), Ids{});
  d.heartbeat_at(6000, 0, 20);
  EXPECT_EQ(d.ids(6100), Ids{kDrift});
  d.heartbeat_at(8000, 0, 0.5);  // clock fixed
  EXPECT_EQ(d.ids(8100), Ids{});
}

// A worker buffers events during its own broker outage and publishes them
// together afterwards (§4.4): old stamps, one burst — not a drifting clock.
TEST(ClockDrift, ABurstOfBufferedHeartbeatsIsOneReading) {
  Diagnostics d;
  d.heartbeat_at(0, 0);
  for (int late = 60; late >= 20; late -= 2) d.heartbeat_at(60'000, 0, -late);
  EXPECT_EQ(d.ids(60'010), Ids{});
  d.heartbeat_at(62'000, 0);
  EXPECT_EQ(d.ids(62'010), Ids{});
}

TEST(ClockDrift, LateTaskEventsAndReducedHeartbeatsDoNotCountAsDriftButReducedOnesMayConfirmIt) {
  Diagnostics d;
  for (int i = 0; i < 30; ++i) d.feed(started(task_id(i), kT0 - 100), 1000LL * i);  // buffered, published late
  EXPECT_EQ(d.ids(30'000), Ids{});
  d.heartbeat_at(30'000, 0, 25);
  d.feed(reduced_heartbeat(kT0 + 32 + 25), 32'000);  // the answer to a `heartbeat` broadcast, same clock
  EXPECT_EQ(d.ids(32'100), Ids{kDrift});
}

// --- missed task events --------------------------------------------------

TEST(MissedEvents, EveryAcceptedTaskSeenEstimatesNothing) {
  Diagnostics d;
  d.heartbeat_at(0, 100);
  for (int i = 0; i < 10; ++i) {
    d.task_run(task_id(i), 1000 + 2000LL * i);
    d.heartbeat_at(2000 + 2000LL * i, 101 + i);
  }
  EXPECT_EQ(d.diagnostics.missed_events_estimate(), 0u);
}

// task-started travels in a task.multi batch flushed on the next loop
// iteration, the heartbeat at once (§5.1): the heartbeat may come first.
TEST(MissedEvents, ATaskStartedArrivingAfterTheHeartbeatIsNotMissed) {
  Diagnostics d;
  d.heartbeat_at(0, 0);
  d.heartbeat_at(2000, 1);
  d.task_run(task_id(1), 2001);
  d.heartbeat_at(4000, 1);
  d.heartbeat_at(6000, 1);
  EXPECT_EQ(d.diagnostics.missed_events_estimate(), 0u);
}

TEST(MissedEvents, ProcessedGrowthWithoutTaskStartedIsCountedOnceSettled) {
  Diagnostics d;
  d.heartbeat_at(0, 10);
  d.task_run(task_id(1), 500);
  d.heartbeat_at(2000, 15);  // 5 accepted, 1 seen
  EXPECT_EQ(d.diagnostics.missed_events_estimate(), 0u) << "settled at the next heartbeat";
  d.heartbeat_at(4000, 15);
  EXPECT_EQ(d.diagnostics.missed_events_estimate(), 4u);
  d.heartbeat_at(6000, 15);
  EXPECT_EQ(d.diagnostics.missed_events_estimate(), 4u) << "counted once";
  d.heartbeat_at(8000, 17);
  d.heartbeat_at(10'000, 17);
  EXPECT_EQ(d.diagnostics.missed_events_estimate(), 6u);
}

TEST(MissedEvents, AWorkerRestartResetsTheCounterWithoutCountingAnything) {
  Diagnostics d;
  d.heartbeat_at(0, 500);
  d.heartbeat_at(2000, 500);
  d.feed(worker_event("worker-offline", kT0 + 3), 3000);
  d.online_at(4000);
  d.heartbeat_at(6000, 0);
  d.task_run(task_id(1), 7000);
  d.heartbeat_at(8000, 1);
  d.heartbeat_at(10'000, 1);
  EXPECT_EQ(d.diagnostics.missed_events_estimate(), 0u);
}

TEST(MissedEvents, ACounterThatGoesDownWithoutWorkerOnlineStartsOver) {
  Diagnostics d;
  d.heartbeat_at(0, 500);
  d.heartbeat_at(2000, 3);  // restarted; its worker-online was missed
  d.heartbeat_at(4000, 3);
  d.heartbeat_at(6000, 3);
  EXPECT_EQ(d.diagnostics.missed_events_estimate(), 0u);
}

TEST(MissedEvents, ReducedHeartbeatsAreSkipped) {
  Diagnostics d;
  d.heartbeat_at(0, 7);
  d.feed(reduced_heartbeat(kT0 + 1), 1000);
  d.heartbeat_at(2000, 7);
  d.feed(reduced_heartbeat(kT0 + 3), 3000);
  d.heartbeat_at(4000, 7);
  EXPECT_EQ(d.diagnostics.missed_events_estimate(), 0u);
}

// --- task events disabled ------------------------------------------------

// A worker seen at 0, enable_events published just after; its answer to
// the heartbeat broadcast that goes with it shows the broadcast reached it.
void seen_then_broadcast(Diagnostics& d) {
  d.heartbeat_at(0, 0);
  d.broadcast(500);
  d.feed(reduced_heartbeat(kT0 + 0.6), 600);
}

// A worker started without -E that never got enable_events: heartbeats
// with a growing `processed`, not one task event.
void working_without_events(Diagnostics& d, long long from_ms, long long to_ms, long long processed = 0) {
  for (long long ms = from_ms; ms <= to_ms; ms += 2000) d.heartbeat_at(ms, processed++);
}

TEST(TaskEventsDisabled, AWorkerThatRunsTasksSilentlyAfterTheBroadcastIsNamed) {
  Diagnostics d;
  seen_then_broadcast(d);
  working_without_events(d, 2000, 58'000);
  EXPECT_EQ(d.ids(59'000), Ids{}) << "the window is 60 s";
  working_without_events(d, 60'000, 70'000, 30);
  EXPECT_EQ(d.ids(70'100), Ids{kSilent});
  const std::string message = d.message(70'100, kSilent);
  EXPECT_NE(message.find("worker w1@host ran tasks but sent no task events for over 60s although enable_events "
                         "reached it: the worker ignores the remote command"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("-E"), std::string::npos) << message;
}

// Remote control off: broadcasts go out, the receiver count never covers
// the worker and it never answers a heartbeat broadcast.
TEST(TaskEventsDisabled, AWorkerNoBroadcastReachesIsToldApart) {
  Diagnostics d;
  d.online_at(0);
  for (long long ms = 0; ms <= 70'000; ms += 2000) {
    if (ms % 10'000 == 0) d.broadcast(ms);
    d.heartbeat_at(ms + 1, ms / 2000);  // working, no task event
  }
  ASSERT_EQ(d.ids(70'100), Ids{kSilent});
  const std::string message = d.message(70'100, kSilent);
  EXPECT_NE(message.find("enable_events was broadcast but never reached it"), std::string::npos) << message;
  EXPECT_NE(message.find("worker_enable_remote_control=False"), std::string::npos) << message;
}

// Celery's start race: the worker announces itself, the broadcast sent then
// reaches nobody, it runs its first tasks blind, then subscribes and is
// reached, and then has no more work. That is late, not disabled.
TEST(TaskEventsDisabled, TasksRunBeforeTheBroadcastReachedTheWorkerAreNotBlamed) {
  Diagnostics d;
  d.online_at(0);
  d.broadcast(1);  // receivers did not include it yet
  working_without_events(d, 2000, 8000);  // blind: processed 0..3
  d.diagnostics.on_worker_reached(kWorkerNode, at_ms(9000));
  d.broadcast(9000);
  for (long long ms = 10'000; ms <= 130'000; ms += 2000) d.heartbeat_at(ms, 4);  // the last blind task, then idle
  for (long long ms = 10'000; ms <= 130'000; ms += 1000) EXPECT_EQ(d.ids(ms), Ids{}) << ms;
}

TEST(TaskEventsDisabled, AnIdleWorkerStaysSilent) {
  Diagnostics d;
  seen_then_broadcast(d);
  for (long long ms = 2000; ms <= 300'000; ms += 2000) d.heartbeat_at(ms, 42);
  EXPECT_EQ(d.ids(300'100), Ids{});
}

TEST(TaskEventsDisabled, AWorkerSendingTaskEventsStaysSilent) {
  Diagnostics d;
  seen_then_broadcast(d);
  for (int i = 1; i <= 60; ++i) {
    d.heartbeat_at(2000LL * i, i);
    d.task_run(task_id(i), 2000LL * i + 1);
  }
  EXPECT_EQ(d.ids(121'000), Ids{});
}

TEST(TaskEventsDisabled, NeedsABroadcastWhenSluicedBroadcasts) {
  Diagnostics d;
  working_without_events(d, 0, 120'000);
  EXPECT_EQ(d.ids(120'100), Ids{}) << "enable_events was never published: the broadcaster says why";
}

TEST(TaskEventsDisabled, ReadOnlyModeNeedsNoBroadcastAndSaysSo) {
  StreamDiagnosticsOptions options;
  options.silence.needs_broadcast = false;
  Diagnostics d(options);
  working_without_events(d, 0, 70'000);
  ASSERT_EQ(d.ids(70'100), Ids{kSilent});
  EXPECT_NE(d.message(70'100, kSilent).find("SLUICE_ENABLE_EVENTS=false"), std::string::npos);
}

// Custom task-* events flow even when task events are off (§4.3).
TEST(TaskEventsDisabled, CustomTaskEventsAreNoProofThatTaskEventsAreOn) {
  Diagnostics d;
  seen_then_broadcast(d);
  for (long long ms = 2000; ms <= 70'000; ms += 2000) {
    d.heartbeat_at(ms, ms / 2000);
    d.feed(progress(task_id(1), kT0, 1, 10), ms + 1);
  }
  EXPECT_EQ(d.ids(70'100), Ids{kSilent});
}

TEST(TaskEventsDisabled, ClearsWhenTaskEventsArrive) {
  Diagnostics d;
  seen_then_broadcast(d);
  working_without_events(d, 2000, 70'000);
  ASSERT_EQ(d.ids(70'100), Ids{kSilent});
  d.task_run(task_id(1), 71'000);
  EXPECT_EQ(d.ids(71'100), Ids{});
}

// The enabled state does not survive a worker restart (§7.3); sluiced
// re-broadcasts on worker-online. Tasks run meanwhile prove nothing.
TEST(TaskEventsDisabled, ARestartedWorkerGetsAFreshWindow) {
  Diagnostics d;
  seen_then_broadcast(d);
  for (long long ms = 2000; ms <= 100'000; ms += 2000) d.heartbeat_at(ms, 5);  // idle for long
  d.online_at(101'000);
  working_without_events(d, 102'000, 110'000);  // before the next broadcast reaches it
  d.broadcast(111'000);
  for (int i = 0; i < 20; ++i) {
    d.task_run(task_id(i), 112'000 + 2000LL * i);
    d.heartbeat_at(113'000 + 2000LL * i, 5 + i);
  }
  EXPECT_EQ(d.ids(152'000), Ids{});
}

// The same when the worker-online was missed (e.g. sent while sluiced was
// disconnected): a `processed` that went down is a restart too.
TEST(TaskEventsDisabled, ACounterThatWentDownIsARestartToo) {
  Diagnostics d;
  seen_then_broadcast(d);
  for (long long ms = 2000; ms <= 100'000; ms += 2000) d.heartbeat_at(ms, 5);
  working_without_events(d, 102'000, 110'000);  // restarted: 0, 1, 2, ...
  EXPECT_EQ(d.ids(110'100), Ids{});
  EXPECT_EQ(d.ids(119'000), Ids{});
}

// --- task-sent missing ---------------------------------------------------

TEST(TaskSentMissing, TwentyTasksReceivedWithoutAnyTaskSentWarn) {
  Diagnostics d;
  for (int i = 0; i < 19; ++i) d.worker_side_run(task_id(i), 100LL * i);
  EXPECT_EQ(d.ids(1900), Ids{});
  d.worker_side_run(task_id(19), 2000);
  EXPECT_EQ(d.ids(6999), Ids{}) << "a late task-sent may still come";
  EXPECT_EQ(d.ids(7000), Ids{kSentMissing});
  EXPECT_NE(d.message(7000, kSentMissing).find("task_send_sent_event=True"), std::string::npos);
  d.feed(sent(task_id(20), kT0), 8000);
  EXPECT_EQ(d.ids(8000), Ids{});
}

TEST(TaskSentMissing, TheNormalFlowStaysSilent) {
  Diagnostics d;
  for (int i = 0; i < 100; ++i) d.task_run(task_id(i), 100LL * i);
  EXPECT_EQ(d.ids(60'000), Ids{});
}

// task-sent comes from the client process, task-received from the worker:
// across processes there is no order (§4.4).
TEST(TaskSentMissing, TaskSentArrivingAfterTaskReceivedStaysSilent) {
  Diagnostics d;
  for (int i = 0; i < 100; ++i) {
    d.worker_side_run(task_id(i), 100LL * i);
    d.feed(sent(task_id(i), kT0), 100LL * i + 50);
  }
  EXPECT_EQ(d.ids(60'000), Ids{});
}

TEST(TaskSentMissing, RetriesOfTheSameTasksAreNotNewTasks) {
  Diagnostics d;
  for (int round = 0; round < 5; ++round) {
    for (int i = 0; i < 10; ++i) d.feed(received(task_id(i), kT0, "app.add", round), 1000LL * round + i);
  }
  EXPECT_EQ(d.ids(60'000), Ids{});
}

// --- forgetting ----------------------------------------------------------

TEST(StreamDiagnostics, AWorkerThatFallsSilentIsForgottenAndItsWarningClears) {
  Diagnostics d;
  d.heartbeat_at(0, 0, 30);
  d.heartbeat_at(2000, 0, 30);
  ASSERT_EQ(d.ids(2100), Ids{kDrift});
  EXPECT_EQ(d.ids(61'999), Ids{kDrift});
  EXPECT_EQ(d.ids(62'000), Ids{});
  EXPECT_EQ(d.diagnostics.workers(), 0u);
}

TEST(StreamDiagnostics, WorkerOfflineForgetsAtOnce) {
  Diagnostics d;
  d.heartbeat_at(0, 0, 30);
  d.heartbeat_at(2000, 0, 30);
  d.feed(worker_event("worker-offline", kT0 + 32), 3000);
  EXPECT_EQ(d.ids(3100), Ids{});
  EXPECT_EQ(d.diagnostics.workers(), 0u);
}

TEST(StreamDiagnostics, WorkersBeyondTheBoundAreNotExamined) {
  StreamDiagnosticsOptions options;
  options.max_workers = 2;
  Diagnostics d(options);
  for (const char* node : {"a@h", "b@h", "c@h"}) d.heartbeat_at(0, 0, 0, node);
  EXPECT_EQ(d.diagnostics.workers(), 2u);
}

}  // namespace
}  // namespace sluice::track
