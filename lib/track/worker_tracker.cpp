#include "track/worker_tracker.hpp"

#include <algorithm>
#include <cmath>

#include "common/iso_time.hpp"
#include "common/utf8.hpp"
#include "track/limits.hpp"

namespace sluice::track {
namespace {

using decode::CeleryEvent;

std::string short_text(std::string_view text) { return utf8::truncated(text, limits::kShortText); }

std::optional<std::string> software_of(const CeleryEvent& event) {
  if (event.sw_ident && event.sw_ver) return short_text(*event.sw_ident + " " + *event.sw_ver);
  if (event.sw_ident) return short_text(*event.sw_ident);
  if (event.sw_ver) return short_text(*event.sw_ver);
  return std::nullopt;
}

}  // namespace

void WorkerTracker::on_worker_event(const CeleryEvent& event, EventKind kind, Clock::time_point now,
                                    std::vector<IngestEvent>& out) {
  if (kind != EventKind::worker_online && kind != EventKind::worker_heartbeat && kind != EventKind::worker_offline) {
    return;
  }
  const std::string_view node = utf8::truncate(event.hostname, limits::kWorkerId);
  if (node.empty()) return;
  Record& record = find_or_insert(node, now);
  const EpochMillis ts = epoch_millis_from_seconds(event.timestamp);
  // A reduced heartbeat (the answer to a `heartbeat` broadcast) carries only
  // freq=5 and sw_*: it proves liveness but says nothing about counts.
  const bool full = kind != EventKind::worker_heartbeat || event.active || event.processed || event.loadavg;
  merge_fields(record, event, full);
  WorkerState next = record.worker.state;
  if (kind == EventKind::worker_offline) {
    next = WorkerState::offline;
  } else if (kind == EventKind::worker_online) {
    next = WorkerState::online;
  } else if (event.active) {
    next = *event.active > 0 ? WorkerState::busy : WorkerState::idle;
  } else if (!record.known_state || record.worker.state == WorkerState::offline) {
    next = WorkerState::online;
  }
  record.closed = kind == EventKind::worker_offline;
  if (!record.closed) {
    record.worker.last_heartbeat = ts;
    record.last_seen = now;
    record.last_sender_ms = ts;
  }
  set_state(record, next, ts, now, out);
}

void WorkerTracker::on_task_activity(std::string_view node, double timestamp, Clock::time_point now,
                                     std::vector<IngestEvent>& out) {
  node = utf8::truncate(node, limits::kWorkerId);
  if (node.empty()) return;
  const EpochMillis ts = epoch_millis_from_seconds(timestamp);
  auto it = workers_.find(node);
  if (it != workers_.end() && it->second.closed) return;  // buffered before its worker-offline
  Record& record = it != workers_.end() ? it->second : find_or_insert(node, now);
  record.last_seen = now;
  record.last_sender_ms = ts;
  if (!record.known_state || record.worker.state == WorkerState::offline) {
    set_state(record, WorkerState::online, ts, now, out);
  }
}

void WorkerTracker::on_tick(Clock::time_point now, std::vector<IngestEvent>& out) {
  for (auto& [node, record] : workers_) {
    if (!record.known_state || record.worker.state == WorkerState::offline) continue;
    const auto silence = now - record.last_seen;
    if (silence < timeout_of(record)) continue;
    // Dated on the worker's own clock, like every other event of it.
    const EpochMillis ts =
        record.last_sender_ms + std::chrono::duration_cast<std::chrono::milliseconds>(silence).count();
    set_state(record, WorkerState::offline, ts, now, out);
  }
}

std::optional<Clock::time_point> WorkerTracker::next_deadline() const {
  std::optional<Clock::time_point> earliest;
  for (const auto& [node, record] : workers_) {
    if (!record.known_state || record.worker.state == WorkerState::offline) continue;
    const Clock::time_point deadline = record.last_seen + timeout_of(record);
    if (!earliest || deadline < *earliest) earliest = deadline;
  }
  return earliest;
}

WorkerCounts WorkerTracker::counts() const {
  WorkerCounts counts;
  for (const auto& [node, record] : workers_) {
    if (!record.known_state) continue;
    switch (record.worker.state) {
      case WorkerState::online: ++counts.online; break;
      case WorkerState::busy: ++counts.busy; break;
      case WorkerState::idle: ++counts.idle; break;
      case WorkerState::offline: ++counts.offline; break;
    }
  }
  return counts;
}

std::optional<Worker> WorkerTracker::view(std::string_view node) const {
  auto it = workers_.find(node);
  if (it == workers_.end()) return std::nullopt;
  return it->second.worker;
}

WorkerTracker::Record& WorkerTracker::find_or_insert(std::string_view node, Clock::time_point now) {
  if (auto it = workers_.find(node); it != workers_.end()) return it->second;
  if (workers_.size() >= std::max<std::size_t>(options_.max_workers, 1)) evict_one();
  Record& record = workers_[std::string(node)];
  record.worker.external_id = std::string(node);
  record.worker.hostname = std::string(node);
  record.last_seen = now;
  return record;
}

// Bounded like the task table: the quietest offline worker goes first.
void WorkerTracker::evict_one() {
  auto victim = workers_.end();
  for (auto it = workers_.begin(); it != workers_.end(); ++it) {
    const bool offline = it->second.worker.state == WorkerState::offline;
    if (victim == workers_.end()) {
      victim = it;
      continue;
    }
    const bool victim_offline = victim->second.worker.state == WorkerState::offline;
    if (offline != victim_offline ? offline : it->second.last_seen < victim->second.last_seen) victim = it;
  }
  if (victim == workers_.end()) return;
  workers_.erase(victim);
  ++evictions_;
}

void WorkerTracker::merge_fields(Record& record, const CeleryEvent& event, bool full) {
  Worker& worker = record.worker;
  if (event.pid) worker.pid = event.pid;
  if (event.active) worker.active_jobs = event.active;
  if (event.processed) worker.processed_total = event.processed;
  if (event.loadavg) worker.metadata.loadavg = event.loadavg;
  if (full && event.freq && std::isfinite(*event.freq) && *event.freq > 0) {
    record.freq = event.freq;
    worker.metadata.heartbeat_interval = event.freq;
  }
  if (auto software = software_of(event)) worker.metadata.software = std::move(software);
  if (event.sw_sys) worker.metadata.system = short_text(*event.sw_sys);
}

void WorkerTracker::set_state(Record& record, WorkerState state, EpochMillis ts, Clock::time_point now,
                              std::vector<IngestEvent>& out) {
  const bool changed = !record.known_state || record.worker.state != state;
  record.worker.state = state;
  record.known_state = true;
  const bool due = record.last_sent && now - *record.last_sent >= options_.refresh_interval;
  if (!changed && !due) return;
  out.push_back(IngestEvent{ts, record.worker});
  record.last_sent = now;
}

// Celery's own rule is 2 x freq (celery-events.md §8); the configured
// timeout is the floor so a slow heartbeat never flaps offline and online.
Clock::duration WorkerTracker::timeout_of(const Record& record) const {
  const Clock::duration floor = options_.offline_timeout;
  if (!record.freq) return floor;
  const auto twice = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(std::min(*record.freq, 3600.0) * 2));
  return std::max(floor, twice);
}

}  // namespace sluice::track
