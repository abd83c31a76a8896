#pragma once
// StreamDiagnostics: reads the Celery event stream for signs that sluiced
// sees less than Celery does, and says why (README "Diagnostics"):
//  - task_events_disabled: workers run tasks but send no task events;
//  - task_sent_events_missing: producers send no task-sent;
//  - worker_clock_drift: a worker's clock is off by more than 16 s;
// and estimates the task events lost on the way (workers' `processed`
// against the task-started seen). Pure: no I/O, both clocks are parameters.
// on_event() is O(1) on the hot path; evaluate() walks the workers and is
// meant to run about once a second.

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/warning.hpp"
#include "config/settings.hpp"
#include "decode/celery_event.hpp"
#include "track/sent_events_check.hpp"
#include "track/worker_checks.hpp"

namespace sluice::track {

inline constexpr std::string_view kTaskEventsDisabled = "task_events_disabled";
inline constexpr std::string_view kTaskSentEventsMissing = "task_sent_events_missing";
inline constexpr std::string_view kWorkerClockDrift = "worker_clock_drift";
// Every id evaluate() may return, in the order it returns them.
inline constexpr std::array<std::string_view, 3> kStreamDiagnosticIds = {kTaskEventsDisabled, kTaskSentEventsMissing,
                                                                         kWorkerClockDrift};

struct StreamDiagnosticsOptions {
  TaskEventSilence::Rules silence;  // needs_broadcast: sluiced broadcasts enable_events
  double drift_threshold_seconds = 16;  // Celery's own warning threshold (§8)
  std::size_t sent_missing_tasks = 20;
  Clock::duration sent_missing_lag{std::chrono::seconds(5)};
  Clock::duration worker_forget{std::chrono::seconds(60)};  // a worker silent this long no longer counts
  std::size_t max_workers = 5000;                           // further workers are not examined

  static StreamDiagnosticsOptions from(const config::Settings& settings);
};

class StreamDiagnostics {
 public:
  explicit StreamDiagnostics(StreamDiagnosticsOptions options = {});

  // One decoded event received at `now`; `wall_now`: the local wall clock
  // at that moment, in epoch seconds (for clock drift).
  void on_event(const decode::CeleryEvent& event, Clock::time_point now, double wall_now);
  // sluiced published enable_events at `now`.
  void on_enable_events_broadcast(Clock::time_point now) { last_broadcast_ = now; }
  // ... and its receiver count showed that it reached this new worker.
  void on_worker_reached(std::string_view node, Clock::time_point now);
  // The warnings active at `now`, in kStreamDiagnosticIds order; forgets
  // workers silent for longer than worker_forget.
  std::vector<Warning> evaluate(Clock::time_point now);

  // Task events estimated lost so far (monotonic).
  std::uint64_t missed_events_estimate() const { return missed_; }
  // The largest |clock drift| among the workers known at the last evaluate().
  double max_clock_drift_seconds() const { return max_drift_; }
  std::size_t workers() const { return workers_.size(); }

 private:
  struct Record {
    explicit Record(Clock::time_point now) : last_seen(now), silence(now) {}
    Clock::time_point last_seen;
    DriftStreak drift;
    ProcessedBalance balance;
    TaskEventSilence silence;
  };

  Record* find_or_insert(std::string_view node, Clock::time_point now);
  void on_worker_event(const decode::CeleryEvent& event, EventKind kind, Clock::time_point now, double wall_now);
  void on_task_event(const decode::CeleryEvent& event, EventKind kind, Clock::time_point now);

  struct NodeHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view node) const { return std::hash<std::string_view>{}(node); }
  };

  StreamDiagnosticsOptions options_;
  std::unordered_map<std::string, Record, NodeHash, std::equal_to<>> workers_;
  SentEventsCheck sent_;
  std::optional<Clock::time_point> last_broadcast_;
  std::uint64_t missed_ = 0;
  double max_drift_ = 0;
};

}  // namespace sluice::track
