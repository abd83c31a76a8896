#pragma once
// CeleryEvent: one decoded Celery monitoring event (docs/celery-protocol.md
// §4), holding only the fields sluiced uses. args, kwargs and result are
// deliberately absent: they must never leave the machine, so the decoder
// never copies them.

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace sluice::decode {

struct CeleryEvent {
  // §4.1, every event.
  std::string type;      // e.g. "task-started", "worker-heartbeat", "task-progress"
  std::string hostname;  // sender node name
  double timestamp = 0;  // sender wall clock, epoch seconds (utcoffset ignored)
  std::optional<long long> pid;
  std::optional<long long> clock;

  // §4.3 task events.
  std::string uuid;  // empty for worker events
  std::optional<std::string> name;
  std::optional<int> retries;
  std::optional<std::string> eta;      // ISO-8601 with offset
  std::optional<std::string> expires;  // ISO-8601 with offset
  std::optional<std::string> parent_id;
  std::optional<std::string> root_id;
  std::optional<std::string> queue;  // task-sent only
  std::optional<std::string> exchange;
  std::optional<std::string> routing_key;
  std::optional<double> runtime;          // task-succeeded
  std::optional<std::string> exception;   // task-failed, task-retried
  std::optional<std::string> traceback;
  std::optional<bool> terminated;         // task-revoked
  std::optional<long long> signum;
  std::optional<bool> expired;
  std::optional<bool> requeue;            // task-rejected
  std::optional<double> progress;         // custom task-* events
  std::optional<double> current;
  std::optional<double> total;

  // §4.2 worker events (a reduced heartbeat carries only freq and sw_*).
  std::optional<double> freq;
  std::optional<long long> active;
  std::optional<long long> processed;
  std::optional<std::vector<double>> loadavg;
  std::optional<std::string> sw_ident;
  std::optional<std::string> sw_ver;
  std::optional<std::string> sw_sys;

  bool operator==(const CeleryEvent&) const = default;

  bool is_task_event() const { return type.starts_with("task-"); }
  bool is_worker_event() const { return type.starts_with("worker-"); }
};

inline std::ostream& operator<<(std::ostream& os, const CeleryEvent& e) {
  os << "CeleryEvent{" << e.type << " host=" << e.hostname << " ts=" << e.timestamp;
  if (!e.uuid.empty()) os << " uuid=" << e.uuid;
  return os << "}";
}

}  // namespace sluice::decode
