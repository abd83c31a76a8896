#include "app/pipeline.hpp"

#include "app/quota_metrics.hpp"
#include "common/utf8.hpp"
#include "track/limits.hpp"

namespace sluice::app {
namespace {

constexpr auto kDiagnosePeriod = std::chrono::seconds(1);

double wall_seconds_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

Pipeline::Pipeline(asio::any_io_executor executor, const config::Settings& settings, observe::Metrics& metrics,
                   observe::Logger& log, PipelineOutputs outputs)
    : tick_timer_(executor),
      diagnose_timer_(executor),
      limits_{settings.max_message_bytes},
      tracker_(track::TrackerOptions::from(settings)),
      budget_(settings.daily_event_budget),
      diagnostics_(track::StreamDiagnosticsOptions::from(settings)),
      notes_(metrics, log),
      outputs_(std::move(outputs)),
      log_(log) {
  register_metrics(metrics);
}

void Pipeline::start() { arm_diagnose(); }

void Pipeline::on_message(source::RedisMessage&& message) {
  if (stopped_) return;
  const auto now = Clock::now();
  const double wall_now = wall_seconds_now();
  if (auto error = decode::decode_message_into(message.payload, limits_, decoded_, decode_buffers_)) {
    notes_.note_decode_error(*error, now);
    return;
  }
  // One count per message, whatever number of its elements were not events.
  if (!decoded_.element_errors.empty()) notes_.note_decode_error(decoded_.element_errors.front(), now);
  if (decoded_.kind == decode::MessageKind::control) {
    control_messages_->inc();
    return;
  }
  for (const auto& event : decoded_.events) {
    last_event_at_ = now;
    tracker_.on_event(event, now, pending_);
    diagnostics_.on_event(event, now, wall_now);
    signal_worker(event);
    if (event.type == "task-sent" && event.queue && outputs_.queue_seen) outputs_.queue_seen(*event.queue);
  }
  emit_pending();
  arm_tick();
}

void Pipeline::signal_worker(const decode::CeleryEvent& event) {
  if (!outputs_.worker_signal) return;
  const std::string_view node = utf8::truncate(event.hostname, track::limits::kWorkerId);
  const auto signal = worker_starts_.on_event(event, track::classify_event(event.type), node);
  if (signal != source::WorkerSignal::none) outputs_.worker_signal(signal, node);
}

void Pipeline::emit(const track::IngestEvent& event) {
  if (stopped_) return;
  if (std::holds_alternative<track::QueueSnapshot>(event.body)) snapshots_->inc();
  deliver(event);
}

track::StaleScan Pipeline::scan_stale(std::chrono::seconds after, std::size_t max_due) {
  const auto wall_ms = static_cast<track::EpochMillis>(wall_seconds_now() * 1000);
  return tracker_.scan_stale(Clock::now(), wall_ms, after, max_due);
}

track::ReconcileResult Pipeline::on_reconciled(std::string_view uuid, const track::BackendOutcome& outcome) {
  if (stopped_) return track::ReconcileResult::unknown;
  const auto result = tracker_.on_reconciled(uuid, outcome, pending_);
  emit_pending();
  return result;
}

void Pipeline::emit_pending() {
  for (const auto& event : pending_) deliver(event);
  pending_.clear();
}

void Pipeline::deliver(const track::IngestEvent& event) {
  if (!budget_.enabled()) return outputs_.deliver(event);  // the usual case: no clock read per event
  const auto wall_ms = static_cast<track::EpochMillis>(wall_seconds_now() * 1000);
  if (budget_.admit(event, wall_ms)) return outputs_.deliver(event);
  held_back_[event.body.index()]->inc();
  dropped_budget_->inc();
  const std::int64_t day = wall_ms / (24LL * 60 * 60 * 1000);
  if (day != budget_logged_day_) {
    budget_logged_day_ = day;
    log_.log(observe::Level::warn,
             "daily event budget nearly spent: until midnight UTC only job final states and worker online/offline "
             "are sent; the rest is held back and counted",
             {{"events_today", std::to_string(budget_.today())}});
  }
}

// One timer, armed for the tracker's earliest deadline; re-armed only when
// that deadline moves earlier, so a busy stream does not churn the timer.
void Pipeline::arm_tick() {
  auto deadline = tracker_.next_deadline();
  if (!deadline || stopped_) return;
  if (armed_for_ && *armed_for_ <= *deadline) return;
  armed_for_ = deadline;
  tick_timer_.expires_at(*deadline);
  tick_timer_.async_wait([this](const boost::system::error_code& error) {
    if (error || stopped_) return;
    armed_for_.reset();
    tracker_.on_tick(Clock::now(), pending_);
    emit_pending();
    arm_tick();
  });
}

void Pipeline::on_enable_events_published() { diagnostics_.on_enable_events_broadcast(Clock::now()); }

void Pipeline::on_worker_reached(std::string_view node) { diagnostics_.on_worker_reached(node, Clock::now()); }

// Evaluation walks the workers, so it runs on its own slow beat rather than
// per message; a warning starts or clears at most a second late.
void Pipeline::arm_diagnose() {
  if (stopped_) return;
  diagnose_timer_.expires_after(kDiagnosePeriod);
  diagnose_timer_.async_wait([this](const boost::system::error_code& error) {
    if (error || stopped_) return;
    const auto active = diagnostics_.evaluate(Clock::now());
    if (outputs_.diagnosed) outputs_.diagnosed(active);
    arm_diagnose();
  });
}

void Pipeline::stop() {
  stopped_ = true;
  tick_timer_.cancel();
  diagnose_timer_.cancel();
}

void Pipeline::register_metrics(observe::Metrics& metrics) {
  const char* const types[] = {"job_state_change", "worker_state_change", "queue_snapshot"};  // IngestEvent order
  for (std::size_t i = 0; i < held_back_.size(); ++i) {
    held_back_[i] = &metrics.counter("sluiced_budget_held_back_total",
                                     "Events SLUICE_DAILY_EVENT_BUDGET held back near the budget, by type",
                                     {{"type", types[i]}});
  }
  dropped_budget_ = &metrics.counter("sluiced_events_dropped_total", "Events that will never be delivered, by reason",
                                     {{"reason", "budget"}});
  metrics.gauge_callback("sluiced_budget_events_today", "Events sent this UTC day (counted with a budget only)", {},
                         [this] { return static_cast<double>(budget_.today()); });
  for (std::size_t i = 0; i < track::kEventKindCount; ++i) {
    metrics.counter_callback("sluiced_events_received_total", "Celery events decoded, by event type",
                             {{"type", track::to_string(static_cast<track::EventKind>(i))}},
                             [this, i] { return static_cast<double>(tracker_.counters().events_by_kind[i]); });
  }
  metrics.counter_callback("sluiced_ingest_events_total", "Ingest events produced, by type",
                           {{"type", "job_state_change"}},
                           [this] { return static_cast<double>(tracker_.counters().job_events); });
  metrics.counter_callback("sluiced_ingest_events_total", "Ingest events produced, by type",
                           {{"type", "worker_state_change"}},
                           [this] { return static_cast<double>(tracker_.counters().worker_events); });
  snapshots_ = &metrics.counter("sluiced_ingest_events_total", "Ingest events produced, by type",
                                {{"type", "queue_snapshot"}});
  register_quota_metrics(metrics, tracker_, [this] { return static_cast<double>(snapshots_->value()); });
  control_messages_ = &metrics.counter("sluiced_control_messages_seen_total",
                                       "Remote-control (pidbox) broadcasts seen on the event channels");
  metrics.gauge_callback("sluiced_tracked_tasks", "Tasks in the task table", {},
                         [this] { return static_cast<double>(tracker_.tracked_tasks()); });
  metrics.counter_callback("sluiced_task_evictions_total", "Tasks evicted from the full task table", {},
                           [this] { return static_cast<double>(tracker_.counters().task_evictions); });
  metrics.counter_callback("sluiced_worker_evictions_total", "Workers evicted from the full worker table", {},
                           [this] { return static_cast<double>(tracker_.counters().worker_evictions); });
  metrics.counter_callback("sluiced_task_events_without_uuid_total", "Task events dropped: no task uuid", {},
                           [this] { return static_cast<double>(tracker_.counters().events_without_uuid); });
  metrics.counter_callback("sluiced_late_events_total",
                           "Task events that changed no state: late or duplicate (their context is still kept)", {},
                           [this] { return static_cast<double>(tracker_.counters().late_events); });
  metrics.counter_callback("sluiced_reorder_held_total",
                           "Task events that waited in the reorder window for their task's name, queue or retry", {},
                           [this] { return static_cast<double>(tracker_.counters().reorder_held); });
  metrics.counter_callback("sluiced_reorder_expired_total",
                           "Events sent after the reorder window without the name, queue or retry they waited for",
                           {}, [this] { return static_cast<double>(tracker_.counters().reorder_expired); });
  metrics.counter_callback("sluiced_reorder_overflow_total", "Events released early: reorder buffer full", {},
                           [this] { return static_cast<double>(tracker_.counters().reorder_overflow); });
  metrics.counter_callback("sluiced_task_events_missed_estimated_total",
                           "Task events estimated lost: growth of workers' processed counters (heartbeats) beyond "
                           "the task-started events seen",
                           {}, [this] { return static_cast<double>(diagnostics_.missed_events_estimate()); });
  metrics.gauge_callback("sluiced_worker_clock_drift_seconds",
                         "Largest difference between a live worker's heartbeat timestamp and local time", {},
                         [this] { return diagnostics_.max_clock_drift_seconds(); });
  const std::pair<const char*, std::size_t track::WorkerCounts::*> states[] = {
      {"online", &track::WorkerCounts::online},
      {"busy", &track::WorkerCounts::busy},
      {"idle", &track::WorkerCounts::idle},
      {"offline", &track::WorkerCounts::offline}};
  for (const auto& [state, field] : states) {
    metrics.gauge_callback("sluiced_workers", "Known workers, by state", {{"state", state}},
                           [this, field = field] { return static_cast<double>(tracker_.workers_by_state().*field); });
  }
}

}  // namespace sluice::app
