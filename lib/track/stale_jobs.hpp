#pragma once
// Stale jobs: tasks left queued, active, retrying or scheduled (past their
// ETA) with no event for the reconcile age. Their last event may have been
// lost (a worker's first tasks before it turned events on, a Redis
// disconnect, sluiced down or cut off by Redis), so their outcome is looked
// up in Celery's result backend. Times are coarse steady seconds kept in 16
// bits per task (TaskRecord::seen_s): only differences under 18 h matter,
// since a stale job is marked (TaskRecord::stale) and looked up well before.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "track/event_kind.hpp"
#include "track/task_record.hpp"

namespace sluice::track {

struct StaleRules {
  std::uint16_t now_s = 0;           // steady seconds, mod 2^16
  EpochMillis wall_now_ms = 0;       // for ETAs
  std::uint16_t after_s = 60;        // the reconcile age
};

// Whether the job still waits for an outcome event.
bool awaits_outcome(Phase phase);

// Whether `record` (with the ETA from its extras, kNoTime if none) has had no
// event for the reconcile age and is not final.
bool is_stale(const TaskRecord& record, EpochMillis eta_ms, const StaleRules& rules);

// Whether a stale job is due for a (new) lookup: none in the reconcile age.
bool is_due(const TaskRecord& record, const StaleRules& rules);

struct StaleScan {
  std::size_t stale = 0;          // stale jobs in the table now
  std::vector<std::string> due;   // task ids to look up now (at most the max asked)
};

// A task's outcome as Celery's result backend recorded it.
struct BackendOutcome {
  EventKind kind = EventKind::task_succeeded;  // succeeded, failed, revoked, started or retried
  EpochMillis done_ms = 0;                     // date_done, else when it was read
  std::optional<std::string> exception;        // failures: "ValueError('boom')"
};

// The event kind a Celery result state stands for; nothing for PENDING and
// states the tracker has no event for.
std::optional<EventKind> kind_of_result_status(std::string_view status);

enum class ReconcileResult : std::uint8_t {
  finished,   // the job reached its final state from the backend
  advanced,   // it moved on (started, retrying) but is not final
  unchanged,  // the backend said what sluiced already knew, or less
  unknown,    // the task is no longer in the table, or already final
};

}  // namespace sluice::track
