#pragma once
// JobTracker: task events -> job_state_change events. Keeps the TaskTable,
// merges each event's context into the task's record, runs the state
// machine (job_transition.hpp) and builds the Job value of every change.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "decode/celery_event.hpp"
#include "track/event_kind.hpp"
#include "track/ingest_event.hpp"
#include "track/saved_tables.hpp"
#include "track/stale_jobs.hpp"
#include "track/task_table.hpp"

namespace sluice::track {

// Why an event should wait in the reorder window before being applied:
// unknown_task waits for the task's name (its sent or received),
// awaiting_sent for its task-sent (the queue only task-sent carries),
// awaiting_retried for the task-retried of the previous attempt.
enum class HoldReason : std::uint8_t { none, unknown_task, awaiting_sent, awaiting_retried };

// What the table knows of one task (for tests and diagnostics).
struct TaskView {
  std::string name;
  std::optional<std::string> queue;
  JobState state = JobState::unknown;
  int attempt = 1;
  std::optional<std::string> worker;

  bool operator==(const TaskView&) const = default;
};

class JobTracker {
 public:
  explicit JobTracker(std::size_t table_size) : table_(table_size) {}

  // Applies one task event (kind is a task kind, event.uuid is not empty);
  // appends the job_state_change it causes, if any.
  void apply(const decode::CeleryEvent& event, EventKind kind, std::vector<IngestEvent>& out);

  // Whether the event lacks context that usually arrives just after it: a
  // nameless event of an unknown task; a task-received of an unknown task
  // when task-sent events are expected (`sent_expected`): the client
  // publishes task-sent after the task message, on its own connection, so
  // the worker's task-received (often batched with task-started) can
  // overtake it; or a task-received that starts a new attempt before the
  // previous attempt's task-retried.
  HoldReason hold_reason(const decode::CeleryEvent& event, EventKind kind, bool sent_expected) const;

  // The arrival time stamped on the tasks of the events applied next.
  void set_arrival(std::uint16_t now_s) { now_s_ = now_s; }
  // Counts the stale jobs and picks up to `max_due` of those due for a
  // lookup (each then waits the reconcile age before it is due again).
  // Starts where the last scan's picks ended, so none waits forever.
  StaleScan scan_stale(const StaleRules& rules, std::size_t max_due);
  // Applies what the result backend recorded for `uuid`, as the Celery event
  // it stands for, marked with extensions.source = "result_backend".
  ReconcileResult reconcile(std::string_view uuid, const BackendOutcome& outcome, std::vector<IngestEvent>& out);

  // A task of a previous run's snapshot, back in the table as it was
  // (the most recently used); emits nothing. A task already known is kept.
  void restore(const SavedTask& task);
  const TaskTable& table() const { return table_; }

  std::optional<TaskView> view(std::string_view uuid) const;
  std::size_t size() const { return table_.size(); }
  std::uint64_t evictions() const { return table_.evictions(); }
  std::size_t extras_in_use() const { return table_.extras_in_use(); }  // tasks with a TaskExtras
  std::uint64_t late_events() const { return late_events_; }

 private:
  void merge_context(TaskRecord& record, const decode::CeleryEvent& event, EventKind kind, EpochMillis ts);
  void merge_sent(TaskRecord& record, const decode::CeleryEvent& event, EpochMillis ts);
  void merge_references(TaskRecord& record, const decode::CeleryEvent& event);
  void store_eta(TaskRecord& record, std::optional<EpochMillis> eta);
  void apply_progress(TaskRecord& record, const decode::CeleryEvent& event, EpochMillis ts,
                      std::vector<IngestEvent>& out);
  void emit(TaskRecord& record, const decode::CeleryEvent& event, EventKind kind, EpochMillis ts,
            std::vector<IngestEvent>& out);
  Job build_job(const TaskRecord& record, const decode::CeleryEvent& event, EventKind kind, EpochMillis ts) const;
  JobExtensions build_extensions(const TaskRecord& record, const decode::CeleryEvent& event, EventKind kind) const;

  TaskTable table_;
  std::uint64_t late_events_ = 0;
  std::uint16_t now_s_ = 0;
  std::uint32_t scan_cursor_ = 0;
};

}  // namespace sluice::track
