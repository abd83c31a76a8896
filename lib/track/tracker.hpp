#pragma once
// Tracker: the track stage. Decoded Celery events and time ticks in, Sluice
// ingest events out (docs/ingest-contract.md §3–§6). Pure: no I/O, the
// clock is a parameter; the app arms one timer at next_deadline().

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "config/settings.hpp"
#include "decode/celery_event.hpp"
#include "track/event_kind.hpp"
#include "track/ingest_event.hpp"
#include "track/job_tracker.hpp"
#include "track/reorder_buffer.hpp"
#include "track/sent_expectation.hpp"
#include "track/worker_tracker.hpp"

namespace sluice::track {

struct TrackerOptions {
  std::size_t task_table_size = 100'000;
  std::chrono::milliseconds worker_offline_timeout{6000};
  std::chrono::milliseconds worker_refresh_interval{300'000};
  std::chrono::milliseconds worker_state_hold{10'000};
  std::chrono::milliseconds worker_state_min_interval{60'000};
  std::chrono::milliseconds reorder_window{250};
  std::size_t reorder_max_events = 10'000;
  std::size_t reorder_max_bytes = std::size_t{32} << 20;  // held events may carry tracebacks
  std::size_t max_workers = 5000;

  static TrackerOptions from(const config::Settings& settings);
};

// Monotonic totals for metrics (sluiced_track_*_total).
struct TrackerCounters {
  std::array<std::uint64_t, kEventKindCount> events_by_kind{};  // index: EventKind
  std::uint64_t events_without_uuid = 0;                        // task events with no uuid: dropped
  std::uint64_t late_events = 0;                                // kept out of the state by precedence
  std::uint64_t job_events = 0;                                 // job_state_change emitted
  std::uint64_t worker_events = 0;                              // worker_state_change emitted
  std::array<std::uint64_t, kJobStateCount> job_events_by_state{};        // index: JobState
  std::array<std::uint64_t, kWorkerStateCount> worker_events_by_state{};  // index: WorkerState
  std::uint64_t worker_refreshes = 0;          // worker events that repeated an unchanged state
  std::uint64_t worker_changes_coalesced = 0;  // busy/idle flips of heartbeats the hold kept back
  std::uint64_t task_evictions = 0;                             // LRU evictions of the task table
  std::uint64_t worker_evictions = 0;
  std::uint64_t reorder_held = 0;      // events that waited in the window
  std::uint64_t reorder_expired = 0;   // ... and left without their context
  std::uint64_t reorder_overflow = 0;  // ... and left early: buffer full
};

class Tracker {
 public:
  explicit Tracker(TrackerOptions options);

  // One decoded event received at `now`; appends what it causes to `out`.
  void on_event(const decode::CeleryEvent& event, Clock::time_point now, std::vector<IngestEvent>& out);
  // Reorder windows that ended and workers that fell silent by `now`.
  void on_tick(Clock::time_point now, std::vector<IngestEvent>& out);
  // When on_tick() next has something to do; nothing when idle.
  std::optional<Clock::time_point> next_deadline() const;

  // Reconciliation (stale_jobs.hpp): counts the stale jobs at `now` and
  // picks up to `max_due` task ids to look up in the result backend.
  StaleScan scan_stale(Clock::time_point now, EpochMillis wall_now_ms, std::chrono::seconds after,
                       std::size_t max_due);
  // What the result backend recorded for a task; appends the job event it causes.
  ReconcileResult on_reconciled(std::string_view uuid, const BackendOutcome& outcome, std::vector<IngestEvent>& out);

  TrackerCounters counters() const;
  std::size_t tracked_tasks() const { return jobs_.size(); }
  std::size_t held_events() const { return reorder_.held_events(); }
  WorkerCounts workers_by_state() const { return workers_.counts(); }

  std::optional<TaskView> task(std::string_view uuid) const { return jobs_.view(uuid); }

  // The tables for a snapshot, and restoring one (table_snapshot.hpp).
  // Restoring emits nothing and counts nothing.
  const JobTracker& jobs() const { return jobs_; }
  std::vector<SavedWorker> saved_workers(Clock::time_point now) const { return workers_.saved(now); }
  bool task_sent_expected() const { return sent_.expected(); }
  void restore(const SavedTask& task, Clock::time_point now);
  void restore(const SavedWorker& worker, Clock::time_point now) { workers_.restore(worker, now); }
  void restore_task_sent_expected(bool expected) { sent_.restore(expected); }
  std::optional<Worker> worker(std::string_view node) const { return workers_.view(node); }

 private:
  void on_task_event(const decode::CeleryEvent& event, EventKind kind, Clock::time_point now,
                     std::vector<IngestEvent>& out);
  void apply_all(const ReorderBuffer::Events& events, std::vector<IngestEvent>& out);
  void count_output(const std::vector<IngestEvent>& out, std::size_t from);

  JobTracker jobs_;
  WorkerTracker workers_;
  ReorderBuffer reorder_;
  SentExpectation sent_;
  TrackerCounters counters_;
};

}  // namespace sluice::track
