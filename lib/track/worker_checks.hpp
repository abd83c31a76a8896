#pragma once
// What the stream diagnostics remember about one worker node, one small
// class per question (README "Diagnostics"): does its clock drift, how many
// of its task events went missing, does it run tasks without sending task
// events. Pure values; receive times are passed in.

#include <chrono>
#include <cstdint>
#include <optional>

#include "track/worker_tracker.hpp"

namespace sluice::track {

// Clock drift of one worker: |worker timestamp − local wall clock| over a
// threshold on consecutive heartbeats (Celery itself warns past 16 s,
// docs/celery-protocol.md §8). Only heartbeats count: task events may be
// buffered and published late (§4.4). An over-threshold heartbeat counts as
// evidence only when it arrived at least kMinSpacing after the last one
// that counted, so a burst of heartbeats that the worker buffered during
// its own broker outage is one piece of evidence, not many; an in-range
// heartbeat always ends the streak.
class DriftStreak {
 public:
  static constexpr int kHeartbeatsNeeded = 2;
  static constexpr Clock::duration kMinSpacing = std::chrono::seconds(1);

  // `drift_seconds`: the heartbeat's timestamp minus local wall time at receipt.
  void on_heartbeat(double drift_seconds, double threshold_seconds, Clock::time_point now);
  bool drifting() const { return streak_ >= kHeartbeatsNeeded; }
  double last_drift() const { return last_drift_; }

 private:
  std::optional<Clock::time_point> counted_at_;  // the last heartbeat that counted
  double last_drift_ = 0;
  int streak_ = 0;
};

// Tasks a worker says it accepted (`processed`, §4.2) against the
// task-started events seen from it. Celery bumps `processed` in the same
// function that sends task-started (worker/request.py, on_accepted), so the
// two match unless events are lost — dropped by Redis, published while
// sluiced was disconnected, or never sent. task-started travels batched
// (task.multi, §5.1) and heartbeats do not, so a heartbeat may announce a
// task before its task-started arrives: each reading is settled only at the
// next one, an interval later. The estimate never goes down (it feeds a
// counter): events that arrive late only stop it from growing.
class ProcessedBalance {
 public:
  // `processed` of a full worker event; returns how many events to add to
  // the missed estimate. A counter that went down (worker restart) starts over.
  std::uint64_t on_processed(long long processed);
  void on_task_started() { started_ += baseline_ ? 1 : 0; }
  void restart() { baseline_.reset(); }  // worker-online: a new process, a new counter

 private:
  std::optional<long long> baseline_;  // processed at the first reading
  long long previous_ = 0;             // processed at the last reading
  long long started_ = 0;              // task-started seen since the baseline
  long long counted_ = 0;              // already reported as missed
};

// Does this worker run tasks without sending task events (events disabled,
// or the enable_events broadcast never reaches it)? An idle worker
// legitimately sends heartbeats and nothing else, so this needs evidence:
// `processed` grew after an enable_events broadcast that followed the
// worker's last task event (or its start), and still no task event came for
// the whole silence window. A worker runs its first tasks blind until the
// broadcast reaches it (Celery subscribes to the pidbox channel after
// announcing itself): when a broadcast demonstrably reaches it (the PUBLISH
// receiver count covered it, or it answered a heartbeat broadcast), the
// evidence starts over, so tasks run before that never count.
class TaskEventSilence {
 public:
  struct Rules {
    Clock::duration window{std::chrono::seconds(60)};  // silence needed
    Clock::duration lag{std::chrono::seconds(5)};      // for batched task events to arrive after a heartbeat
    bool needs_broadcast = true;                       // false when sluiced never broadcasts (read-only)
  };
  enum class Finding {
    none,
    events_off,        // read-only: nothing turns its events on
    never_reached,     // broadcasts went out, none demonstrably reached it
    ignores_broadcast  // reached, and still no task events
  };

  // A reading taken right after a broadcast may predate the worker acting on it.
  static constexpr Clock::duration kBroadcastSettle = std::chrono::seconds(1);

  explicit TaskEventSilence(Clock::time_point now) : since_(now) {}

  void restart(Clock::time_point now);  // first sight, worker-online: a new process
  void on_task_event(Clock::time_point now);
  // An enable_events broadcast demonstrably reached this worker at `now`.
  void on_reached(Clock::time_point now);
  // A full reading; `last_broadcast`: when enable_events was last published.
  void on_processed(long long processed, Clock::time_point now, std::optional<Clock::time_point> last_broadcast,
                    const Rules& rules);
  Finding silent_while_working(Clock::time_point now, const Rules& rules) const;

 private:
  void forget_evidence();

  Clock::time_point since_;                     // last task event, or start
  bool reached_ = false;                        // a broadcast reached this process
  std::optional<Clock::time_point> broadcast_;  // a broadcast after since_
  std::optional<long long> mark_;               // processed once that broadcast had time to arrive
  std::optional<Clock::time_point> grew_at_;    // first reading above the mark
};

}  // namespace sluice::track
