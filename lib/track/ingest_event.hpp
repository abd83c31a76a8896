#pragma once
// IngestEvent: one event of the Sluice ingest contract
// (docs/ingest-contract.md §3–§6) as a value. Times are epoch
// milliseconds; framework and connectionId are added when serializing.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <variant>
#include <vector>

namespace sluice::track {

using EpochMillis = std::int64_t;

// Sluice's eight job states (ingest §6; Celery PENDING maps to unknown).
enum class JobState : std::uint8_t { unknown, queued, scheduled, active, completed, failed, retrying, cancelled };
enum class WorkerState : std::uint8_t { online, busy, idle, offline };
inline constexpr std::size_t kJobStateCount = static_cast<std::size_t>(JobState::cancelled) + 1;
inline constexpr std::size_t kWorkerStateCount = static_cast<std::size_t>(WorkerState::offline) + 1;

const char* to_string(JobState state);
const char* to_string(WorkerState state);
std::ostream& operator<<(std::ostream& os, JobState state);
std::ostream& operator<<(std::ostream& os, WorkerState state);

struct JobExtensions {
  std::optional<double> runtime;
  std::optional<bool> revoked_terminated;
  std::optional<long long> revoked_signum;
  std::optional<bool> revoked_expired;
  std::optional<bool> rejected_requeue;
  std::optional<std::string> exchange;
  std::optional<std::string> routing_key;
  std::optional<std::string> expires;
  // Where the state came from when not from a Celery event: "result_backend"
  // for an outcome looked up in Celery's result backend (reconciliation).
  std::optional<std::string> source;

  bool operator==(const JobExtensions&) const = default;
};

struct Job {
  std::string external_id;
  std::string name;  // "unknown" when the task was never seen
  std::optional<std::string> queue;
  JobState state = JobState::unknown;
  std::optional<JobState> previous_state;
  std::optional<std::string> worker_id;
  int attempt = 1;
  std::optional<double> progress;
  std::optional<std::string> error;
  std::optional<std::string> stacktrace;
  std::optional<EpochMillis> created_at;
  std::optional<EpochMillis> started_at;
  std::optional<EpochMillis> completed_at;
  std::optional<EpochMillis> scheduled_for;
  std::optional<std::string> parent_id;
  std::optional<std::string> root_id;
  JobExtensions extensions;

  bool operator==(const Job&) const = default;
};

struct WorkerMetadata {
  std::optional<std::string> software;  // "<sw_ident> <sw_ver>"
  std::optional<std::string> system;
  std::optional<std::vector<double>> loadavg;
  std::optional<double> heartbeat_interval;

  bool operator==(const WorkerMetadata&) const = default;
};

struct Worker {
  std::string external_id;  // node name
  std::string hostname;     // node name
  std::optional<long long> pid;
  WorkerState state = WorkerState::online;
  std::optional<EpochMillis> last_heartbeat;
  std::optional<long long> active_jobs;
  std::optional<long long> processed_total;
  WorkerMetadata metadata;

  bool operator==(const Worker&) const = default;
};

struct QueueSnapshot {
  std::string name;
  long long depth = 0;
  std::optional<long long> consumers;

  bool operator==(const QueueSnapshot&) const = default;
};

struct IngestEvent {
  EpochMillis timestamp = 0;
  std::variant<Job, Worker, QueueSnapshot> body;

  bool operator==(const IngestEvent&) const = default;

  // "job_state_change", "worker_state_change" or "queue_snapshot".
  const char* type() const;
};

std::ostream& operator<<(std::ostream& os, const IngestEvent& e);

}  // namespace sluice::track
