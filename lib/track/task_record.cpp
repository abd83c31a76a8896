#include "track/task_record.hpp"

namespace sluice::track {

JobState job_state_of(Phase phase) {
  switch (phase) {
    case Phase::none: return JobState::unknown;
    case Phase::queued:
    case Phase::requeued: return JobState::queued;
    case Phase::scheduled: return JobState::scheduled;
    case Phase::active: return JobState::active;
    case Phase::retrying: return JobState::retrying;
    case Phase::completed: return JobState::completed;
    case Phase::failed: return JobState::failed;
    case Phase::interrupted:
    case Phase::cancelled: return JobState::cancelled;
  }
  return JobState::unknown;
}

bool is_terminal(Phase phase) {
  return phase == Phase::completed || phase == Phase::failed || phase == Phase::cancelled;
}

bool has_ended(Phase phase) { return is_terminal(phase) || phase == Phase::interrupted; }

}  // namespace sluice::track
