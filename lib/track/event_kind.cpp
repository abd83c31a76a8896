#include "track/event_kind.hpp"

#include <array>
#include <utility>

namespace sluice::track {
namespace {

constexpr std::array<std::pair<std::string_view, EventKind>, 12> kKnown{{
    {"task-sent", EventKind::task_sent},
    {"task-received", EventKind::task_received},
    {"task-started", EventKind::task_started},
    {"task-succeeded", EventKind::task_succeeded},
    {"task-failed", EventKind::task_failed},
    {"task-retried", EventKind::task_retried},
    {"task-revoked", EventKind::task_revoked},
    {"task-rejected", EventKind::task_rejected},
    {"task-cancelled", EventKind::task_cancelled},
    {"worker-online", EventKind::worker_online},
    {"worker-heartbeat", EventKind::worker_heartbeat},
    {"worker-offline", EventKind::worker_offline},
}};

}  // namespace

EventKind classify_event(std::string_view type) {
  for (const auto& [name, kind] : kKnown) {
    if (type == name) return kind;
  }
  if (type.starts_with("task-")) return EventKind::task_custom;
  if (type.starts_with("worker-")) return EventKind::worker_other;
  return EventKind::other;
}

const char* to_string(EventKind kind) {
  switch (kind) {
    case EventKind::task_sent: return "task-sent";
    case EventKind::task_received: return "task-received";
    case EventKind::task_started: return "task-started";
    case EventKind::task_succeeded: return "task-succeeded";
    case EventKind::task_failed: return "task-failed";
    case EventKind::task_retried: return "task-retried";
    case EventKind::task_revoked: return "task-revoked";
    case EventKind::task_rejected: return "task-rejected";
    case EventKind::task_cancelled: return "task-cancelled";
    case EventKind::task_custom: return "task-custom";
    case EventKind::worker_online: return "worker-online";
    case EventKind::worker_heartbeat: return "worker-heartbeat";
    case EventKind::worker_offline: return "worker-offline";
    case EventKind::worker_other: return "worker-other";
    case EventKind::other: return "other";
  }
  return "other";
}

}  // namespace sluice::track
