#pragma once
// Pipeline: the synchronous path of one broker message — decode, track,
// serialize, hand to delivery — plus the timer that drives the tracker's
// windows (reorder, worker offline, refresh), and the stream diagnostics
// (fed every event, evaluated once a second). It runs inside the
// subscriber's read loop, so it never waits: delivery's push() is O(1).

#include <array>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "app/decode_notes.hpp"
#include "common/asio.hpp"
#include "config/settings.hpp"
#include "decode/decode_message.hpp"
#include "observe/log.hpp"
#include "observe/metrics.hpp"
#include "source/redis_message.hpp"
#include "source/worker_starts.hpp"
#include "track/ingest_event.hpp"
#include "track/daily_budget.hpp"
#include "track/stream_diagnostics.hpp"
#include "track/tracker.hpp"

namespace sluice::app {

struct PipelineOutputs {
  std::function<void(const track::IngestEvent&)> deliver;  // one ingest event, to encode and send
  // A worker started, has task events on, or left (for the control broadcaster).
  std::function<void(source::WorkerSignal, std::string_view node)> worker_signal;
  std::function<void(const std::string&)> queue_seen;  // a task-sent event named this queue
  // The stream diagnostics active now (among track::kStreamDiagnosticIds), once a second.
  std::function<void(const std::vector<Warning>&)> diagnosed;
};

class Pipeline {
 public:
  using Clock = std::chrono::steady_clock;

  Pipeline(asio::any_io_executor executor, const config::Settings& settings, observe::Metrics& metrics,
           observe::Logger& log, PipelineOutputs outputs);
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Starts the once-a-second diagnostics timer.
  void start();
  // The subscriber's message handler.
  void on_message(source::RedisMessage&& message);
  // The control broadcaster published enable_events.
  void on_enable_events_published();
  // ... and its receiver count showed that it reached this new worker.
  void on_worker_reached(std::string_view node);
  // Ingest events made elsewhere (queue snapshots) join the same output.
  void emit(const track::IngestEvent& event);
  // Reconciliation: the stale jobs now, and up to `max_due` ids to look up.
  track::StaleScan scan_stale(std::chrono::seconds after, std::size_t max_due);
  // An outcome read from the result backend; delivers the job event it causes.
  track::ReconcileResult on_reconciled(std::string_view uuid, const track::BackendOutcome& outcome);
  // Cancels the timers; nothing is emitted afterwards.
  void stop();

  std::optional<Clock::time_point> last_event_at() const { return last_event_at_; }
  // For the table snapshots (table_snapshots.hpp).
  track::Tracker& tracker() { return tracker_; }

 private:
  void signal_worker(const decode::CeleryEvent& event);
  void emit_pending();
  void deliver(const track::IngestEvent& event);
  void arm_tick();
  void arm_diagnose();
  void register_metrics(observe::Metrics& metrics);

  asio::steady_timer tick_timer_;
  asio::steady_timer diagnose_timer_;
  std::optional<Clock::time_point> armed_for_;
  decode::DecodeLimits limits_;
  track::Tracker tracker_;
  track::DailyBudget budget_;
  track::StreamDiagnostics diagnostics_;
  source::WorkerStarts worker_starts_;
  DecodeNotes notes_;
  PipelineOutputs outputs_;
  // Reused message to message, so steady traffic does not allocate them anew.
  decode::DecodedMessage decoded_;
  decode::DecodeBuffers decode_buffers_;
  std::vector<track::IngestEvent> pending_;
  std::optional<Clock::time_point> last_event_at_;
  bool stopped_ = false;
  observe::Counter* control_messages_ = nullptr;
  observe::Counter* snapshots_ = nullptr;
  // SLUICE_DAILY_EVENT_BUDGET: what it held back, by ingest type, and in
  // events_dropped_total{reason="budget"}.
  std::array<observe::Counter*, 3> held_back_{};
  observe::Counter* dropped_budget_ = nullptr;
  std::int64_t budget_logged_day_ = -1;  // the UTC day the budget's "near" line was logged
  observe::Logger& log_;
};

}  // namespace sluice::app
