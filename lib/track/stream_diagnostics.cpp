#include "track/stream_diagnostics.hpp"

#include <algorithm>
#include <cmath>

#include "common/utf8.hpp"
#include "track/event_kind.hpp"
#include "track/limits.hpp"

namespace sluice::track {
namespace {

using decode::CeleryEvent;

std::string and_more(std::size_t others) {
  if (others == 0) return "";
  return " (and " + std::to_string(others) + " more worker" + (others == 1 ? "" : "s") + ")";
}

std::string silence_message(const std::string& node, std::size_t others, TaskEventSilence::Finding finding,
                            const TaskEventSilence::Rules& rules) {
  using Finding = TaskEventSilence::Finding;
  const auto window = std::chrono::duration_cast<std::chrono::seconds>(rules.window).count();
  std::string text = "worker " + node + and_more(others) + " ran tasks but sent no task events for over " +
                     std::to_string(window) + "s";
  if (finding == Finding::events_off) {
    return text + ", and SLUICE_ENABLE_EVENTS=false: start the workers with -E "
                  "(worker_send_task_events=True) or let sluiced broadcast enable_events";
  }
  if (finding == Finding::never_reached) {
    return text + ": enable_events was broadcast but never reached it (the PUBLISH receiver count never grew "
                  "for it and it did not answer the heartbeat broadcast), so it does not listen to remote "
                  "control on this broker: remote control may be disabled (worker_enable_remote_control=False) "
                  "or on another exchange, db or key prefix (check SLUICE_CONTROL_EXCHANGE, "
                  "SLUICE_GLOBAL_KEYPREFIX); or start the workers with -E";
  }
  return text + " although enable_events reached it: the worker ignores the remote command (its tasks may "
                "be declared with send_events=False, or its remote control commands are restricted); start "
                "the workers with -E (worker_send_task_events=True)";
}

std::string sent_missing_message(std::size_t tasks) {
  return std::to_string(tasks) +
         " tasks in a row were received by workers without any task-sent event: the producers run with "
         "task_send_sent_event=False, so jobs have no queued state and no queue name; set "
         "task_send_sent_event=True in the Celery configuration of the code that sends tasks";
}

std::string drift_message(const std::string& node, double drift, std::size_t others, double threshold) {
  const long long seconds = std::llround(std::abs(drift));
  return "clock of worker " + node + and_more(others) + " is " + std::to_string(seconds) + "s " +
         (drift > 0 ? "ahead of" : "behind") + " local time (more than " + std::to_string(std::llround(threshold)) +
         "s): the times it reports are off and Celery's own monitors warn too; synchronise the clocks (NTP)";
}

}  // namespace

StreamDiagnosticsOptions StreamDiagnosticsOptions::from(const config::Settings& settings) {
  StreamDiagnosticsOptions options;
  options.silence.needs_broadcast = settings.enable_events;
  return options;
}

StreamDiagnostics::StreamDiagnostics(StreamDiagnosticsOptions options)
    : options_(options), sent_(options.sent_missing_tasks) {}

void StreamDiagnostics::on_event(const CeleryEvent& event, Clock::time_point now, double wall_now) {
  const EventKind kind = classify_event(event.type);
  if (kind == EventKind::task_sent) {
    sent_.on_sent();
  } else if (is_task_kind(kind)) {
    on_task_event(event, kind, now);
  } else {
    on_worker_event(event, kind, now, wall_now);
  }
}

StreamDiagnostics::Record* StreamDiagnostics::find_or_insert(std::string_view node, Clock::time_point now) {
  node = utf8::truncate(node, limits::kWorkerId);
  if (node.empty()) return nullptr;
  if (auto it = workers_.find(node); it != workers_.end()) return &it->second;
  if (workers_.size() >= options_.max_workers) return nullptr;
  return &workers_.emplace(std::string(node), Record(now)).first->second;
}

void StreamDiagnostics::on_task_event(const CeleryEvent& event, EventKind kind, Clock::time_point now) {
  if (kind == EventKind::task_received) sent_.on_received(event.uuid, now);
  Record* record = find_or_insert(event.hostname, now);
  if (!record) return;
  record->last_seen = now;
  if (kind == EventKind::task_started) record->balance.on_task_started();
  if (shows_task_events_on(kind)) record->silence.on_task_event(now);
}

void StreamDiagnostics::on_worker_event(const CeleryEvent& event, EventKind kind, Clock::time_point now,
                                        double wall_now) {
  if (kind == EventKind::worker_offline) {
    if (auto it = workers_.find(utf8::truncate(event.hostname, limits::kWorkerId)); it != workers_.end()) {
      workers_.erase(it);
    }
    return;
  }
  if (kind != EventKind::worker_online && kind != EventKind::worker_heartbeat) return;
  Record* record = find_or_insert(event.hostname, now);
  if (!record) return;
  record->last_seen = now;
  if (kind == EventKind::worker_online) {
    record->silence.restart(now);
    record->balance.restart();
  } else {
    // A reduced heartbeat answers a heartbeat broadcast, which sluiced sends
    // right after an enable_events: both reached the worker.
    if (!event.processed && !event.active && !event.loadavg) record->silence.on_reached(now);
    record->drift.on_heartbeat(event.timestamp - wall_now, options_.drift_threshold_seconds, now);
  }
  // Reduced heartbeats (the answer to a `heartbeat` broadcast) carry no counter (§4.2).
  if (!event.processed) return;
  missed_ += record->balance.on_processed(*event.processed);
  record->silence.on_processed(*event.processed, now, last_broadcast_, options_.silence);
}

void StreamDiagnostics::on_worker_reached(std::string_view node, Clock::time_point now) {
  if (Record* record = find_or_insert(node, now)) record->silence.on_reached(now);
}

std::vector<Warning> StreamDiagnostics::evaluate(Clock::time_point now) {
  const std::string* silent = nullptr;  // the first by name, so the message stays put
  auto silent_finding = TaskEventSilence::Finding::none;
  std::size_t silent_count = 0;
  const std::string* drifting = nullptr;  // the one that drifts most
  double worst = 0;
  std::size_t drifting_count = 0;
  max_drift_ = 0;
  for (auto it = workers_.begin(); it != workers_.end();) {
    const auto& [node, record] = *it;
    if (now - record.last_seen >= options_.worker_forget) {
      it = workers_.erase(it);
      continue;
    }
    max_drift_ = std::max(max_drift_, std::abs(record.drift.last_drift()));
    if (const auto finding = record.silence.silent_while_working(now, options_.silence);
        finding != TaskEventSilence::Finding::none) {
      ++silent_count;
      if (!silent || node < *silent) {
        silent = &node;
        silent_finding = finding;
      }
    }
    if (record.drift.drifting()) {
      ++drifting_count;
      if (!drifting || std::abs(record.drift.last_drift()) > std::abs(worst)) {
        drifting = &node;
        worst = record.drift.last_drift();
      }
    }
    ++it;
  }
  std::vector<Warning> active;
  if (silent) {
    active.push_back({std::string(kTaskEventsDisabled), silence_message(*silent, silent_count - 1, silent_finding, options_.silence)});
  }
  if (sent_.missing(now, options_.sent_missing_lag)) {
    active.push_back({std::string(kTaskSentEventsMissing), sent_missing_message(sent_.tasks_needed())});
  }
  if (drifting) {
    active.push_back({std::string(kWorkerClockDrift),
                      drift_message(*drifting, worst, drifting_count - 1, options_.drift_threshold_seconds)});
  }
  return active;
}

}  // namespace sluice::track
