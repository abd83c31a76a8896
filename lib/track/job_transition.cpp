#include "track/job_transition.hpp"

#include <algorithm>

namespace sluice::track {
namespace {

int rank(Phase phase) {
  switch (phase) {
    case Phase::none: return 0;
    case Phase::queued:
    case Phase::scheduled:
    case Phase::requeued: return 1;
    case Phase::active:
    case Phase::retrying: return 2;
    case Phase::interrupted:
    case Phase::completed:
    case Phase::failed:
    case Phase::cancelled: return 3;
  }
  return 0;
}

bool announces(EventKind kind) { return kind == EventKind::task_sent || kind == EventKind::task_received; }

std::optional<std::uint16_t> attempt_of(std::optional<long long> retries) {
  if (!retries) return std::nullopt;
  return static_cast<std::uint16_t>(std::clamp<long long>(*retries, 0, 65534) + 1);
}

Transition accept(Phase phase, std::uint16_t attempt, bool jumped = false) { return {true, phase, attempt, jumped}; }

Transition after_retry(const TransitionInput& in, std::optional<std::uint16_t> event_attempt) {
  const auto next = static_cast<std::uint16_t>(std::min(in.attempt + 1, 65535));
  if (!announces(in.kind)) return accept(in.target, next);
  if (event_attempt && *event_attempt <= in.attempt) return {false, in.current, in.attempt, in.jumped};
  return accept(in.target, event_attempt.value_or(next));
}

Transition within_attempt(const TransitionInput& in, std::optional<std::uint16_t> event_attempt) {
  const Transition late{false, in.current, in.attempt, in.jumped};
  if (!announces(in.kind)) return accept(in.target, in.attempt);  // started or terminal: never lower
  const std::uint16_t attempt = event_attempt.value_or(in.attempt);
  if (attempt < in.attempt) return late;
  if (attempt > in.attempt) return in.kind == EventKind::task_sent ? late : accept(in.target, attempt, true);
  if (rank(in.target) < rank(in.current)) return late;
  return accept(in.target, in.attempt, in.jumped);
}

}  // namespace

Phase target_phase(EventKind kind, bool eta_in_future, bool requeue) {
  switch (kind) {
    case EventKind::task_sent:
    case EventKind::task_received: return eta_in_future ? Phase::scheduled : Phase::queued;
    case EventKind::task_started: return Phase::active;
    case EventKind::task_succeeded: return Phase::completed;
    case EventKind::task_failed: return Phase::failed;
    case EventKind::task_retried: return Phase::retrying;
    case EventKind::task_revoked: return Phase::cancelled;
    case EventKind::task_rejected: return requeue ? Phase::requeued : Phase::failed;
    // Celery 5.5+ sends task-cancelled when the worker itself kills a running
    // task: at a cold shutdown (after its worker-offline) or when it loses
    // the broker connection. Nothing else follows: no task-failed, no
    // task-revoked, and no retry is published, although the result backend
    // says RETRY ("cancelled by Celery"). The task did not fail by itself and
    // will not run again unless its message is redelivered (acks_late, not
    // yet acknowledged), so `cancelled` is the truth, and a redelivery's
    // events reopen the job like a requeue (docs/celery-protocol.md).
    case EventKind::task_cancelled: return Phase::interrupted;
    default: return Phase::none;
  }
}

Transition decide_transition(const TransitionInput& in) {
  if (is_terminal(in.current)) return {false, in.current, in.attempt, false};
  const auto event_attempt = attempt_of(in.retries);
  if (in.kind == EventKind::task_rejected || in.kind == EventKind::task_cancelled) {
    return accept(in.target, in.attempt);
  }
  if (in.kind == EventKind::task_retried) {
    const bool waiting_for_start = in.current == Phase::queued || in.current == Phase::scheduled;
    if (in.jumped && waiting_for_start) return {false, in.current, in.attempt, false};
    return accept(Phase::retrying, in.attempt);
  }
  switch (in.current) {
    case Phase::none: return accept(in.target, event_attempt.value_or(in.attempt));
    case Phase::retrying: return after_retry(in, event_attempt);
    case Phase::requeued:
    case Phase::interrupted:
      if (announces(in.kind) && event_attempt && *event_attempt < in.attempt) {
        return {false, in.current, in.attempt, false};
      }
      return accept(in.target, std::max(in.attempt, event_attempt.value_or(in.attempt)));
    default: return within_attempt(in, event_attempt);
  }
}

bool awaits_retried(Phase current, std::uint16_t attempt, EventKind kind, std::optional<long long> retries) {
  if (kind != EventKind::task_received) return false;
  if (current != Phase::queued && current != Phase::scheduled && current != Phase::active) return false;
  const auto event_attempt = attempt_of(retries);
  return event_attempt && *event_attempt > attempt;
}

}  // namespace sluice::track
