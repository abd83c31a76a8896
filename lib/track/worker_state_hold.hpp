#pragma once
// WorkerStateHold: the busy/idle hysteresis of one worker
// (docs/ingest-contract.md §6.1). Every event costs the user quota, and a
// worker whose heartbeats flip between busy and idle would cost one event per
// flip, up to one per heartbeat. So a busy/idle reading is reported only once
// it has held for `hold` (every heartbeat in that time agrees), and two
// busy/idle reports of one worker are at least `min_interval` apart. online
// and offline never wait: the worker tracker sends them at once and tells
// this class with reset().
//
// It also counts what it saves: without the hold, each change of the
// heartbeats' reading would have been one event. A pending change is
// coalesced as soon as another reading supersedes it, and a change back to
// the state reported is coalesced with it.

#include <chrono>
#include <cstdint>
#include <optional>

#include "track/ingest_event.hpp"

namespace sluice::track {

struct WorkerStateRules {
  std::chrono::steady_clock::duration hold = std::chrono::seconds(10);
  std::chrono::steady_clock::duration min_interval = std::chrono::seconds(60);
};

class WorkerStateHold {
 public:
  using Clock = std::chrono::steady_clock;

  // `state` was just sent (online, offline, or a worker's first state):
  // whatever was pending is dropped.
  void reset(WorkerState state);
  // A full heartbeat read `reading` (busy or idle) at `now`: the state to
  // report now, if a change is due. The caller sends it and calls sent().
  std::optional<WorkerState> on_reading(WorkerState reading, Clock::time_point now, const WorkerStateRules& rules);
  // A busy/idle change that on_reading() returned was sent at `now`.
  void sent(WorkerState state, Clock::time_point now);

  WorkerState reported() const { return reported_; }
  // What a snapshot keeps (table_snapshot.hpp), and putting it back.
  struct Saved {
    WorkerState reported = WorkerState::online;
    WorkerState reading = WorkerState::online;
    Clock::time_point reading_since{};
    std::optional<Clock::time_point> last_change_sent;
  };
  Saved saved() const { return {reported_, reading_, reading_since_, last_change_sent_}; }
  void restore(const Saved& saved) {
    reported_ = saved.reported;
    reading_ = saved.reading;
    reading_since_ = saved.reading_since;
    last_change_sent_ = saved.last_change_sent;
  }

  // Changes of the reading never sent, since the last call.
  std::uint64_t take_coalesced();

 private:
  WorkerState reported_ = WorkerState::online;  // what the API was told last
  // What the worker's heartbeats say (online/offline as sent); a change is
  // pending while it differs from reported_.
  WorkerState reading_ = WorkerState::online;
  Clock::time_point reading_since_{};                  // the first heartbeat of this reading
  std::optional<Clock::time_point> last_change_sent_;  // the last busy/idle report
  std::uint64_t coalesced_ = 0;
};

}  // namespace sluice::track
