#include "source/worker_starts.hpp"

namespace sluice::source {

using track::EventKind;

WorkerStarts::Seen* WorkerStarts::remember(std::string_view node, bool& is_new) {
  is_new = false;
  if (auto it = workers_.find(node); it != workers_.end()) return &it->second;
  // Full: a node beyond the bound is treated as known, so a flood of made-up
  // names cannot keep the fast beat going (the schedule caps it anyway).
  if (workers_.size() >= max_workers_) return nullptr;
  is_new = true;
  return &workers_.emplace(std::string(node), Seen{}).first->second;
}

WorkerSignal WorkerStarts::on_event(const decode::CeleryEvent& event, EventKind kind, std::string_view node) {
  if (node.empty()) return WorkerSignal::none;
  if (track::shows_task_events_on(kind)) {
    bool is_new = false;
    remember(node, is_new);
    return WorkerSignal::has_events;
  }
  if (kind == EventKind::worker_offline) {
    if (auto it = workers_.find(node); it != workers_.end()) workers_.erase(it);
    return WorkerSignal::left;
  }
  if (kind != EventKind::worker_online && kind != EventKind::worker_heartbeat) return WorkerSignal::none;
  bool is_new = false;
  Seen* seen = remember(node, is_new);
  if (kind == EventKind::worker_online) {
    if (seen) *seen = Seen{event.pid, std::nullopt};
    return WorkerSignal::appeared;
  }
  // A reduced heartbeat (freq and sw_* only) answers a heartbeat broadcast.
  const bool reduced = !event.processed && !event.active && !event.loadavg;
  if (reduced) return WorkerSignal::has_events;
  if (!seen) return WorkerSignal::none;
  const bool restarted = (seen->pid && event.pid && *seen->pid != *event.pid) ||
                         (seen->processed && event.processed && *event.processed < *seen->processed);
  if (event.pid) seen->pid = event.pid;
  if (event.processed) seen->processed = event.processed;
  return is_new || restarted ? WorkerSignal::appeared : WorkerSignal::none;
}

}  // namespace sluice::source
