#pragma once
// The job state machine: which Celery task events move a job and which are
// late (docs/celery-protocol.md §6.2 precedence, docs/ingest-contract.md §6
// mapping). Pure functions over a TaskRecord's phase and attempt.

#include <cstdint>
#include <optional>

#include "track/event_kind.hpp"
#include "track/task_record.hpp"

namespace sluice::track {

// The phase a state-changing task event asks for (kind must not be custom).
Phase target_phase(EventKind kind, bool eta_in_future, bool requeue);

struct TransitionInput {
  Phase current = Phase::none;
  std::uint16_t attempt = 1;
  bool jumped = false;
  EventKind kind = EventKind::task_sent;
  Phase target = Phase::queued;
  std::optional<long long> retries;  // Celery `retries` of sent/received
};

struct Transition {
  bool accepted = false;  // false: a late or duplicate event, the state stays
  Phase phase = Phase::none;
  std::uint16_t attempt = 1;
  bool jumped = false;
};

// Rules, in order:
// - terminal phases (completed, failed, cancelled) never change;
// - task-rejected always applies: failed, or requeued when requeue=true;
// - task-cancelled always applies: interrupted (sent as cancelled);
// - task-retried applies, unless the attempt already moved on without it;
// - sent/received of an older attempt (retries + 1 < attempt) are late; a
//   task-sent announcing the next attempt is late until the task-retried;
//   a task-received of a newer attempt starts it (an implicit retry);
// - after retrying, any event starts the next attempt; after a requeue or
//   an interruption any event applies;
// - otherwise a phase of lower rank (queued < active < terminal) is late.
Transition decide_transition(const TransitionInput& in);

// A task-received that starts a newer attempt while the current one has not
// been retried yet: worth waiting briefly for the task-retried that normally
// precedes it (it comes from a different batch or worker).
bool awaits_retried(Phase current, std::uint16_t attempt, EventKind kind, std::optional<long long> retries);

}  // namespace sluice::track
