#include "track/stale_jobs.hpp"

namespace sluice::track {

bool awaits_outcome(Phase phase) {
  switch (phase) {
    case Phase::queued:
    case Phase::requeued:
    case Phase::scheduled:
    case Phase::active:
    case Phase::retrying: return true;
    default: return false;
  }
}

bool is_stale(const TaskRecord& record, EpochMillis eta_ms, const StaleRules& rules) {
  if (!awaits_outcome(record.phase)) return false;
  if (record.stale) return true;
  const auto age = static_cast<std::uint16_t>(rules.now_s - record.seen_s);
  if (age < rules.after_s) return false;
  // A task waiting for its ETA is not late until the ETA has passed.
  if (record.phase == Phase::scheduled && eta_ms != kNoTime) {
    return rules.wall_now_ms - eta_ms >= static_cast<EpochMillis>(rules.after_s) * 1000;
  }
  return true;
}

bool is_due(const TaskRecord& record, const StaleRules& rules) {
  return static_cast<std::uint16_t>(rules.now_s - record.seen_s) >= rules.after_s;
}

std::optional<EventKind> kind_of_result_status(std::string_view status) {
  if (status == "SUCCESS") return EventKind::task_succeeded;
  if (status == "FAILURE") return EventKind::task_failed;
  if (status == "REVOKED") return EventKind::task_revoked;
  if (status == "STARTED") return EventKind::task_started;
  if (status == "RETRY") return EventKind::task_retried;
  return std::nullopt;
}

}  // namespace sluice::track
