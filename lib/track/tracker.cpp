#include "track/tracker.hpp"

#include <algorithm>

namespace sluice::track {
namespace {

// Steady seconds in the 16 bits a task keeps (stale_jobs.hpp).
std::uint16_t coarse_seconds(Clock::time_point now) {
  return static_cast<std::uint16_t>(std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
}

bool releases(HoldReason reason, EventKind kind) {
  switch (reason) {
    case HoldReason::unknown_task: return kind == EventKind::task_sent || kind == EventKind::task_received;
    case HoldReason::awaiting_sent: return kind == EventKind::task_sent;
    case HoldReason::awaiting_retried: return kind == EventKind::task_retried;
    case HoldReason::none: return false;
  }
  return false;
}

}  // namespace

TrackerOptions TrackerOptions::from(const config::Settings& settings) {
  TrackerOptions options;
  options.task_table_size = settings.task_table_size;
  options.worker_offline_timeout = settings.worker_offline_timeout;
  options.worker_refresh_interval = settings.worker_refresh_interval;
  options.worker_state_hold = settings.worker_state_hold;
  options.worker_state_min_interval = settings.worker_state_min_interval;
  options.reorder_window = settings.reorder_window;
  options.reorder_max_events = settings.reorder_max_events;
  return options;
}

Tracker::Tracker(TrackerOptions options)
    : jobs_(options.task_table_size),
      workers_({options.worker_offline_timeout, options.worker_refresh_interval, options.max_workers,
                {options.worker_state_hold, options.worker_state_min_interval}}),
      reorder_(options.reorder_window, options.reorder_max_events, options.reorder_max_bytes) {}

void Tracker::on_event(const decode::CeleryEvent& event, Clock::time_point now, std::vector<IngestEvent>& out) {
  const std::size_t first = out.size();
  jobs_.set_arrival(coarse_seconds(now));
  const EventKind kind = classify_event(event.type);
  ++counters_.events_by_kind[static_cast<std::size_t>(kind)];
  if (is_task_kind(kind)) {
    // task-sent comes from the publishing client, not from a worker (§4.1).
    if (kind != EventKind::task_sent) workers_.on_task_activity(event.hostname, event.timestamp, now, out);
    on_task_event(event, kind, now, out);
  } else {
    workers_.on_worker_event(event, kind, now, out);
  }
  count_output(out, first);
}

void Tracker::on_task_event(const decode::CeleryEvent& event, EventKind kind, Clock::time_point now,
                            std::vector<IngestEvent>& out) {
  if (event.uuid.empty()) {
    ++counters_.events_without_uuid;
    return;
  }
  if (kind == EventKind::task_sent) sent_.on_sent();
  HoldReason reason = reorder_.reason(event.uuid);
  // A task-received that names a held task still lacks its queue when a
  // task-sent is due: the group waits on for the task-sent instead, the
  // task-received first, as if it had come first.
  const bool names_held = reason == HoldReason::unknown_task && kind == EventKind::task_received;
  if (names_held && sent_.expected()) {
    reason = HoldReason::awaiting_sent;
  } else if (reason != HoldReason::none && releases(reason, kind)) {
    jobs_.apply(event, kind, out);
    apply_all(reorder_.release(event.uuid), out);
    return;
  }
  if (reason == HoldReason::none && reorder_.enabled()) reason = jobs_.hold_reason(event, kind, sent_.expected());
  if (reason == HoldReason::none) {
    jobs_.apply(event, kind, out);
    return;
  }
  ReorderBuffer::Events evicted;
  if (!reorder_.hold(event, reason, now, evicted, names_held)) {  // too large to hold: no waiting
    if (names_held) jobs_.apply(event, kind, out);
    apply_all(reorder_.release(event.uuid), out);
    if (!names_held) jobs_.apply(event, kind, out);
    return;
  }
  ++counters_.reorder_held;
  counters_.reorder_overflow += evicted.size();
  apply_all(evicted, out);
}

void Tracker::on_tick(Clock::time_point now, std::vector<IngestEvent>& out) {
  const std::size_t first = out.size();
  jobs_.set_arrival(coarse_seconds(now));
  ReorderBuffer::Events expired;
  HoldReason reason = HoldReason::none;
  while (reorder_.expire_one(now, expired, reason)) {
    counters_.reorder_expired += expired.size();
    if (reason == HoldReason::awaiting_sent) sent_.on_missed();
    apply_all(expired, out);
  }
  workers_.on_tick(now, out);
  count_output(out, first);
}

std::optional<Clock::time_point> Tracker::next_deadline() const {
  const auto reorder = reorder_.next_deadline();
  const auto workers = workers_.next_deadline();
  if (reorder && workers) return std::min(*reorder, *workers);
  return reorder ? reorder : workers;
}

StaleScan Tracker::scan_stale(Clock::time_point now, EpochMillis wall_now_ms, std::chrono::seconds after,
                              std::size_t max_due) {
  const auto after_s = static_cast<std::uint16_t>(std::clamp<long long>(after.count(), 1, 0x7FFF));
  return jobs_.scan_stale({coarse_seconds(now), wall_now_ms, after_s}, max_due);
}

ReconcileResult Tracker::on_reconciled(std::string_view uuid, const BackendOutcome& outcome,
                                       std::vector<IngestEvent>& out) {
  const std::size_t first = out.size();
  const ReconcileResult result = jobs_.reconcile(uuid, outcome, out);
  count_output(out, first);
  return result;
}

void Tracker::restore(const SavedTask& task, Clock::time_point now) {
  jobs_.set_arrival(coarse_seconds(now));
  jobs_.restore(task);
}

TrackerCounters Tracker::counters() const {
  TrackerCounters counters = counters_;
  counters.late_events = jobs_.late_events();
  counters.task_evictions = jobs_.evictions();
  counters.worker_evictions = workers_.evictions();
  counters.worker_refreshes = workers_.refreshes();
  counters.worker_changes_coalesced = workers_.coalesced_changes();
  return counters;
}

void Tracker::apply_all(const ReorderBuffer::Events& events, std::vector<IngestEvent>& out) {
  for (const auto& event : events) jobs_.apply(event, classify_event(event.type), out);
}

void Tracker::count_output(const std::vector<IngestEvent>& out, std::size_t from) {
  for (std::size_t i = from; i < out.size(); ++i) {
    if (const Job* job = std::get_if<Job>(&out[i].body)) {
      ++counters_.job_events;
      ++counters_.job_events_by_state[static_cast<std::size_t>(job->state)];
    }
    if (const Worker* worker = std::get_if<Worker>(&out[i].body)) {
      ++counters_.worker_events;
      ++counters_.worker_events_by_state[static_cast<std::size_t>(worker->state)];
    }
  }
}

}  // namespace sluice::track
