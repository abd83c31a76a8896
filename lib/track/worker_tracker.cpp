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
  const bool returning = !record.known_state || record.worker.state == WorkerState::offline;
  if (kind == EventKind::worker_offline) {
    next = WorkerState::offline;
  } else if (kind == EventKind::worker_online) {
    next = WorkerState::online;
  } else if (event.active) {
    const WorkerState reading = *event.active > 0 ? WorkerState::busy : WorkerState::idle;
    if (returning) {
      next = reading;  // a worker's first state is news, like online
    } else if (auto due = record.hold.on_reading(reading, now, options_.state_rules)) {
      next = *due;
    }
  } else if (returning) {
    next = WorkerState::online;
  }
  record.closed = kind == EventKind::worker_offline;
  if (!record.closed) {
    record.worker.last_heartbeat = ts;
    record.last_seen = now;
    record.last_sender_ms = ts;
  }
  set_state(record, next, ts, now, out);
  if (!record.closed) touch(record);
  note_deadline(record);
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
  touch(record);
  note_deadline(record);
}

// The walk runs only once the lower bound is reached (not on every tick of
// the reorder window), and leaves the bound exact.
void WorkerTracker::on_tick(Clock::time_point now, std::vector<IngestEvent>& out) {
  if (!earliest_ || now < *earliest_) return;
  earliest_.reset();
  for (auto& [node, record] : workers_) {
    if (!live(record)) continue;
    const auto silence = now - record.last_seen;
    if (silence < timeout_of(record)) {
      note_deadline(record);
      continue;
    }
    // Dated on the worker's own clock, like every other event of it: the
    // moment its timeout ran out there, not when this tick happened to run,
    // so two sluiced of an HA pair date the same event the same way (the
    // ingest API deduplicates a re-sent event only if it is identical).
    const EpochMillis ts =
        record.last_sender_ms + std::chrono::duration_cast<std::chrono::milliseconds>(timeout_of(record)).count();
    set_state(record, WorkerState::offline, ts, now, out);
  }
}

void WorkerTracker::note_deadline(const Record& record) {
  if (!live(record)) return;
  const Clock::time_point deadline = record.last_seen + timeout_of(record);
  if (!earliest_ || deadline < *earliest_) earliest_ = deadline;
}

void WorkerTracker::touch(Record& record) {
  Order& order = live(record) || !record.known_state ? live_order_ : offline_order_;
  order.splice(order.end(), order, record.order);
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

std::vector<SavedWorker> WorkerTracker::saved(Clock::time_point now) const {
  std::vector<SavedWorker> all;
  all.reserve(workers_.size());
  const auto ago = [now](Clock::time_point then) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(now - then);
  };
  for (const Order* order : {&offline_order_, &live_order_}) {
    for (std::string_view node : *order) {
      const Record& record = workers_.find(node)->second;
      SavedWorker& saved = all.emplace_back();
      saved.worker = record.worker;
      saved.freq = record.freq;
      saved.last_sender_ms = record.last_sender_ms;
      if (record.last_sent) saved.sent_ago = ago(*record.last_sent);
      const WorkerStateHold::Saved hold = record.hold.saved();
      if (hold.last_change_sent) saved.change_sent_ago = ago(*hold.last_change_sent);
      saved.reported = hold.reported;
      saved.reading = hold.reading;
      saved.reading_for = ago(hold.reading_since);
      saved.known_state = record.known_state;
      saved.closed = record.closed;
    }
  }
  return all;
}

void WorkerTracker::restore(const SavedWorker& saved, Clock::time_point now) {
  const std::string_view node = saved.worker.external_id;
  if (node.empty() || workers_.contains(node)) return;
  Record& record = find_or_insert(node, now);
  const auto before = [now](std::optional<std::chrono::milliseconds> ago) -> std::optional<Clock::time_point> {
    if (!ago) return std::nullopt;
    return now - *ago;
  };
  record.worker = saved.worker;
  record.worker.external_id = record.worker.hostname = std::string(node);
  record.freq = saved.freq;
  record.last_sender_ms = saved.last_sender_ms;
  record.last_sent = before(saved.sent_ago);
  record.hold.restore({saved.reported, saved.reading, now - saved.reading_for, before(saved.change_sent_ago)});
  record.known_state = saved.known_state;
  record.closed = saved.closed;
  if (record.known_state && record.worker.state == WorkerState::offline) {
    offline_order_.splice(offline_order_.end(), live_order_, record.order);
  }
  note_deadline(record);
}

WorkerTracker::Record& WorkerTracker::find_or_insert(std::string_view node, Clock::time_point now) {
  if (auto it = workers_.find(node); it != workers_.end()) return it->second;
  if (workers_.size() >= std::max<std::size_t>(options_.max_workers, 1)) evict_one();
  auto [it, inserted] = workers_.try_emplace(std::string(node));
  Record& record = it->second;
  record.worker.external_id = it->first;
  record.worker.hostname = it->first;
  record.last_seen = now;
  record.order = live_order_.insert(live_order_.end(), std::string_view(it->first));  // keys never move
  return record;
}

// Bounded like the task table: the first worker gone offline goes first,
// else the one heard from least recently. O(1).
void WorkerTracker::evict_one() {
  Order& order = offline_order_.empty() ? live_order_ : offline_order_;
  if (order.empty()) return;
  auto victim = workers_.find(order.front());
  order.pop_front();
  if (victim == workers_.end()) return;
  workers_.erase(victim);
  ++evictions_;
}

void WorkerTracker::merge_fields(Record& record, const CeleryEvent& event, bool full) {
  Worker& worker = record.worker;
  if (event.pid) worker.pid = event.pid;
  if (event.active) worker.active_jobs = event.active;
  if (event.processed) worker.processed_total = event.processed;
  if (event.loadavg) {  // 1, 5 and 15 minutes; anything longer is not a load average
    worker.metadata.loadavg.emplace(
        event.loadavg->begin(),
        event.loadavg->begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(event.loadavg->size(), 3)));
  }
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
  const bool was_offline = record.known_state && record.worker.state == WorkerState::offline;
  if (changed) {
    // A live worker only turns busy or idle through the hold; everything
    // else (online, offline, a first state) is sent at once and ends it.
    const bool held = record.known_state && !was_offline && (state == WorkerState::busy || state == WorkerState::idle);
    if (held) {
      record.hold.sent(state, now);
    } else {
      record.hold.reset(state);
    }
  }
  coalesced_changes_ += record.hold.take_coalesced();
  if (was_offline != (state == WorkerState::offline)) {  // changes recency list
    Order& from = was_offline ? offline_order_ : live_order_;
    Order& to = was_offline ? live_order_ : offline_order_;
    to.splice(to.end(), from, record.order);
  }
  record.worker.state = state;
  record.known_state = true;
  const bool due = record.last_sent && now - *record.last_sent >= options_.refresh_interval;
  if (!changed && !due) return;
  if (!changed) ++refreshes_;
  out.push_back(IngestEvent{ts, record.worker});
  record.last_sent = now;
}

// Celery's own rule is 2 x freq (docs/celery-protocol.md §8); the configured
// timeout is the floor so a slow heartbeat never flaps offline and online.
Clock::duration WorkerTracker::timeout_of(const Record& record) const {
  const Clock::duration floor = options_.offline_timeout;
  if (!record.freq) return floor;
  const auto twice =
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(std::min(*record.freq, 3600.0) * 2));
  return std::max(floor, twice);
}

}  // namespace sluice::track
