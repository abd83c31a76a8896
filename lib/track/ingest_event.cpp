#include "track/ingest_event.hpp"

namespace sluice::track {

const char* to_string(JobState state) {
  switch (state) {
    case JobState::unknown: return "unknown";
    case JobState::queued: return "queued";
    case JobState::scheduled: return "scheduled";
    case JobState::active: return "active";
    case JobState::completed: return "completed";
    case JobState::failed: return "failed";
    case JobState::retrying: return "retrying";
    case JobState::cancelled: return "cancelled";
  }
  return "unknown";
}

const char* to_string(WorkerState state) {
  switch (state) {
    case WorkerState::online: return "online";
    case WorkerState::busy: return "busy";
    case WorkerState::idle: return "idle";
    case WorkerState::offline: return "offline";
  }
  return "offline";
}

std::ostream& operator<<(std::ostream& os, JobState state) { return os << to_string(state); }
std::ostream& operator<<(std::ostream& os, WorkerState state) { return os << to_string(state); }

const char* IngestEvent::type() const {
  switch (body.index()) {
    case 0: return "job_state_change";
    case 1: return "worker_state_change";
    default: return "queue_snapshot";
  }
}

std::ostream& operator<<(std::ostream& os, const IngestEvent& e) {
  os << e.type() << "@" << e.timestamp << "{";
  if (const auto* job = std::get_if<Job>(&e.body)) {
    os << job->external_id << " " << job->name << " " << to_string(job->state);
  } else if (const auto* worker = std::get_if<Worker>(&e.body)) {
    os << worker->external_id << " " << to_string(worker->state);
  } else if (const auto* queue = std::get_if<QueueSnapshot>(&e.body)) {
    os << queue->name << "=" << queue->depth;
  }
  return os << "}";
}

}  // namespace sluice::track
