#pragma once
// EventKind: the Celery event types the tracker tells apart
// (docs/celery-protocol.md §4), classified once per event.

#include <cstddef>
#include <string_view>

namespace sluice::track {

enum class EventKind {
  task_sent,
  task_received,
  task_started,
  task_succeeded,
  task_failed,
  task_retried,
  task_revoked,
  task_rejected,
  task_cancelled,  // Celery 5.5+: a running task cut short by the worker (cold shutdown, lost connection)
  task_custom,     // any other task-* (task-progress, ...)
  worker_online,
  worker_heartbeat,
  worker_offline,
  worker_other,  // worker-elect, worker-elect-ack, ...
  other,
};
inline constexpr std::size_t kEventKindCount = static_cast<std::size_t>(EventKind::other) + 1;

EventKind classify_event(std::string_view type);

// Metric label, e.g. "task-sent", "task-custom", "worker-other".
const char* to_string(EventKind kind);

inline bool is_task_kind(EventKind kind) { return kind <= EventKind::task_custom; }

// Task events a worker sends only when its task events are on: custom task-*
// events flow even when they are off, and task-sent comes from clients.
inline bool shows_task_events_on(EventKind kind) {
  return is_task_kind(kind) && kind != EventKind::task_sent && kind != EventKind::task_custom;
}

}  // namespace sluice::track
