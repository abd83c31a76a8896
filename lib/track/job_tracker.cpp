#include "track/job_tracker.hpp"

#include <algorithm>

#include "common/iso_time.hpp"
#include "common/utf8.hpp"
#include "track/job_text.hpp"
#include "track/job_transition.hpp"
#include "track/limits.hpp"

namespace sluice::track {
namespace {

using decode::CeleryEvent;

std::string_view task_key(const CeleryEvent& event) { return utf8::truncate(event.uuid, limits::kExternalId); }

bool announces(EventKind kind) { return kind == EventKind::task_sent || kind == EventKind::task_received; }

std::optional<EpochMillis> parse_time(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  return parse_iso8601(*text);
}

std::optional<EpochMillis> time_of(EpochMillis millis) {
  if (millis == kNoTime) return std::nullopt;
  return millis;
}

std::optional<std::string> text_of(const StringPool& pool, StringPool::Id id) {
  if (id == 0) return std::nullopt;
  return std::string(pool.view(id));
}

std::optional<std::string> non_empty(const std::optional<std::string>& text) {
  if (!text || text->empty()) return std::nullopt;
  return text;
}

}  // namespace

void JobTracker::apply(const CeleryEvent& event, EventKind kind, std::vector<IngestEvent>& out) {
  const EpochMillis ts = epoch_millis_from_seconds(event.timestamp);
  TaskRecord& record = table_.find_or_insert(task_key(event));
  record.seen_s = now_s_;
  record.stale = false;
  merge_context(record, event, kind, ts);
  if (kind == EventKind::task_custom) {
    apply_progress(record, event, ts, out);
    return;
  }
  const auto eta = parse_time(event.eta);
  const Phase target = target_phase(kind, eta && *eta > ts, event.requeue.value_or(false));
  const Transition step = decide_transition({record.phase, record.attempt, record.jumped, kind, target, event.retries});
  record.jumped = step.jumped;
  if (!step.accepted) {
    ++late_events_;
    return;
  }
  const bool new_attempt = step.attempt != record.attempt;
  record.phase = step.phase;
  record.attempt = step.attempt;
  if (new_attempt) record.started_ms = kNoTime;
  if (kind == EventKind::task_started) record.started_ms = ts;
  if (announces(kind)) store_eta(record, eta);
  if (record.has_sent && record.sent_state == job_state_of(record.phase) && !new_attempt) return;
  emit(record, event, kind, ts, out);
}

HoldReason JobTracker::hold_reason(const CeleryEvent& event, EventKind kind, bool sent_expected) const {
  const TaskRecord* record = table_.peek(task_key(event));
  if (record == nullptr) {
    if (kind == EventKind::task_sent) return HoldReason::none;
    if (kind == EventKind::task_received) return sent_expected ? HoldReason::awaiting_sent : HoldReason::none;
    return HoldReason::unknown_task;
  }
  if (awaits_retried(record->phase, record->attempt, kind, event.retries)) return HoldReason::awaiting_retried;
  return HoldReason::none;
}

StaleScan JobTracker::scan_stale(const StaleRules& rules, std::size_t max_due) {
  StaleScan scan;
  const auto size = static_cast<std::uint32_t>(table_.size());
  if (size == 0) return scan;
  const std::uint32_t start = scan_cursor_ < size ? scan_cursor_ : 0;
  for (std::uint32_t i = 0; i < size; ++i) {
    const std::uint32_t slot = (start + i) % size;
    TaskRecord& record = table_.record_at(slot);
    if (!is_stale(record, table_.extras(record).eta_ms, rules)) continue;
    record.stale = true;
    ++scan.stale;
    if (scan.due.size() >= max_due || !is_due(record, rules)) continue;
    record.seen_s = rules.now_s;
    scan.due.push_back(table_.external_id(record));
    scan_cursor_ = slot + 1;
  }
  return scan;
}

ReconcileResult JobTracker::reconcile(std::string_view uuid, const BackendOutcome& outcome,
                                      std::vector<IngestEvent>& out) {
  const TaskRecord* record = table_.peek(utf8::truncate(uuid, limits::kExternalId));
  if (record == nullptr || !awaits_outcome(record->phase)) return ReconcileResult::unknown;
  const bool stale = record->stale;
  const std::uint16_t seen_s = record->seen_s;  // a lookup is no sign of life: keep both
  CeleryEvent event;
  event.type = to_string(outcome.kind);
  event.uuid = std::string(uuid);
  event.hostname = std::string(record->worker != 0 ? table_.strings().view(record->worker) : "");
  event.timestamp = static_cast<double>(outcome.done_ms) / 1000.0;
  event.exception = outcome.exception;
  const std::size_t first = out.size();
  apply(event, outcome.kind, out);
  TaskRecord& after = *table_.find(task_key(event));
  after.stale = stale && awaits_outcome(after.phase);
  after.seen_s = seen_s;
  if (out.size() == first) return ReconcileResult::unchanged;
  for (std::size_t i = first; i < out.size(); ++i) std::get<Job>(out[i].body).extensions.source = "result_backend";
  return is_terminal(after.phase) ? ReconcileResult::finished : ReconcileResult::advanced;
}

void JobTracker::restore(const SavedTask& task) {
  if (task.id.empty() || table_.peek(task.id) != nullptr) return;
  TaskRecord& record = table_.find_or_insert(task.id);
  StringPool& pool = table_.strings();
  const auto set = [&pool](StringPool::Id& slot, std::optional<std::string_view> text) {
    if (text) pool.assign(slot, *text);
  };
  set(record.name, task.name);
  set(record.queue, task.queue);
  set(record.worker, task.worker);
  set(record.exchange, task.exchange);
  set(record.routing_key, task.routing_key);
  record.created_ms = task.created_ms;
  record.started_ms = task.started_ms;
  record.attempt = task.attempt;
  record.seen_s = static_cast<std::uint16_t>(now_s_ - task.idle_s);
  record.phase = task.phase;
  record.sent_state = task.sent_state;
  record.has_sent = task.has_sent;
  record.created_by_sent = task.created_by_sent;
  record.jumped = task.jumped;
  record.stale = task.stale;
  // A parent or root: its kind, and its bytes in TaskExtras if it has any.
  const auto restore_ref = [&](const SavedRef& saved, UuidBytes TaskExtras::*in_extras) {
    if (saved.kind == RefKind::none || saved.kind == RefKind::self) return saved.kind;
    UuidBytes bytes{};
    const RefKind kind = store_ref(saved.text, task.id, bytes, pool);
    if (stores_bytes(kind)) table_.ensure_extras(record).*in_extras = bytes;
    return kind;
  };
  record.parent_kind = restore_ref(task.parent, &TaskExtras::parent);
  record.root_kind = restore_ref(task.root, &TaskExtras::root);
  if (task.eta_ms != kNoTime) table_.ensure_extras(record).eta_ms = task.eta_ms;
  if (task.expires_ms != kNoTime) table_.ensure_extras(record).expires_ms = task.expires_ms;
}

std::optional<TaskView> JobTracker::view(std::string_view uuid) const {
  const TaskRecord* record = table_.peek(utf8::truncate(uuid, limits::kExternalId));
  if (record == nullptr) return std::nullopt;
  const StringPool& pool = table_.strings();
  return TaskView{record->name != 0 ? std::string(pool.view(record->name)) : "unknown", text_of(pool, record->queue),
                  job_state_of(record->phase), record->attempt, text_of(pool, record->worker)};
}

// Late events still add what they know (docs/celery-protocol.md §6.2): a late
// task-received still names the task, a late task-sent still gives its queue.
void JobTracker::merge_context(TaskRecord& record, const CeleryEvent& event, EventKind kind, EpochMillis ts) {
  StringPool& pool = table_.strings();
  if (record.created_ms == kNoTime) record.created_ms = ts;
  if (event.name && !event.name->empty()) pool.assign(record.name, utf8::truncate(*event.name, limits::kName));
  if (kind == EventKind::task_sent) {
    merge_sent(record, event, ts);
  } else if (!event.hostname.empty()) {
    pool.assign(record.worker, utf8::truncate(event.hostname, limits::kWorkerId));
  }
  if (announces(kind)) merge_references(record, event);
  if (kind == EventKind::task_started && record.started_ms == kNoTime) record.started_ms = ts;
  if (table_.extras(record).expires_ms == kNoTime) {
    if (auto expires = parse_time(event.expires)) table_.ensure_extras(record).expires_ms = *expires;
  }
}

// Each announcement states the ETA afresh (a retry may have none); a task
// that never had one keeps needing no TaskExtras.
void JobTracker::store_eta(TaskRecord& record, std::optional<EpochMillis> eta) {
  if (eta || table_.extras(record).eta_ms != kNoTime) table_.ensure_extras(record).eta_ms = eta.value_or(kNoTime);
}

void JobTracker::merge_sent(TaskRecord& record, const CeleryEvent& event, EpochMillis ts) {
  StringPool& pool = table_.strings();
  if (!record.created_by_sent) {
    record.created_ms = std::min(record.created_ms, ts);
    record.created_by_sent = true;
  }
  if (auto queue = non_empty(event.queue) ? event.queue : non_empty(event.routing_key)) {
    pool.assign(record.queue, utf8::truncate(*queue, limits::kQueue));
  }
  if (event.exchange) pool.assign(record.exchange, utf8::truncate(*event.exchange, limits::kShortText));
  if (event.routing_key) pool.assign(record.routing_key, utf8::truncate(*event.routing_key, limits::kShortText));
}

// Set once: a retry's new message claims parent_id == root_id == its own
// uuid (docs/celery-protocol.md §4.3), which must not replace the real parent.
// Only ids of kind uuid or pooled take TaskExtras: a root that is the task
// itself, the usual case, is the kind alone.
void JobTracker::merge_references(TaskRecord& record, const CeleryEvent& event) {
  StringPool& pool = table_.strings();
  const std::string_view self = task_key(event);
  UuidBytes bytes{};
  if (record.parent_kind == RefKind::none && event.parent_id && *event.parent_id != event.uuid) {
    record.parent_kind = store_ref(utf8::truncate(*event.parent_id, limits::kTaskReference), self, bytes, pool);
    if (stores_bytes(record.parent_kind)) table_.ensure_extras(record).parent = bytes;
  }
  if (record.root_kind == RefKind::none && event.root_id) {
    record.root_kind = store_ref(utf8::truncate(*event.root_id, limits::kTaskReference), self, bytes, pool);
    if (stores_bytes(record.root_kind)) table_.ensure_extras(record).root = bytes;
  }
}

// Custom task-* events never change the state (docs/ingest-contract.md §6); one
// that carries a ratio re-sends the current state with `progress`.
void JobTracker::apply_progress(TaskRecord& record, const CeleryEvent& event, EpochMillis ts,
                                std::vector<IngestEvent>& out) {
  const auto progress = job_progress(event.progress, event.current, event.total);
  if (!progress || has_ended(record.phase)) return;
  const std::size_t index = out.size();
  emit(record, event, EventKind::task_custom, ts, out);
  std::get<Job>(out[index].body).progress = progress;
}

void JobTracker::emit(TaskRecord& record, const CeleryEvent& event, EventKind kind, EpochMillis ts,
                      std::vector<IngestEvent>& out) {
  out.push_back(IngestEvent{ts, build_job(record, event, kind, ts)});
  record.sent_state = job_state_of(record.phase);
  record.has_sent = true;
}

Job JobTracker::build_job(const TaskRecord& record, const CeleryEvent& event, EventKind kind, EpochMillis ts) const {
  const StringPool& pool = table_.strings();
  Job job;
  job.external_id = table_.external_id(record);
  job.name = record.name != 0 ? std::string(pool.view(record.name)) : "unknown";
  job.queue = text_of(pool, record.queue);
  job.state = job_state_of(record.phase);
  if (record.has_sent) job.previous_state = record.sent_state;
  if (kind != EventKind::task_sent && !event.hostname.empty()) {
    job.worker_id = utf8::truncated(event.hostname, limits::kWorkerId);
  }
  job.attempt = record.attempt;
  if (kind == EventKind::task_failed || kind == EventKind::task_retried) {
    job.error = job_error(event.exception, event.traceback);
    if (event.traceback && !event.traceback->empty()) {
      job.stacktrace = utf8::truncated(*event.traceback, limits::kStacktrace);
    }
  }
  job.created_at = time_of(record.created_ms);
  job.started_at = time_of(record.started_ms);
  if (has_ended(record.phase)) job.completed_at = ts;
  const TaskExtras& extras = table_.extras(record);
  job.scheduled_for = time_of(extras.eta_ms);
  if (record.parent_kind != RefKind::none)
    job.parent_id = load_ref(record.parent_kind, extras.parent, pool, job.external_id);
  if (record.root_kind != RefKind::none) job.root_id = load_ref(record.root_kind, extras.root, pool, job.external_id);
  job.extensions = build_extensions(record, event, kind);
  return job;
}

JobExtensions JobTracker::build_extensions(const TaskRecord& record, const CeleryEvent& event, EventKind kind) const {
  const StringPool& pool = table_.strings();
  JobExtensions extensions;
  if (kind == EventKind::task_succeeded) extensions.runtime = event.runtime;
  if (kind == EventKind::task_revoked) {
    extensions.revoked_terminated = event.terminated;
    extensions.revoked_signum = event.signum;
    extensions.revoked_expired = event.expired;
  }
  if (kind == EventKind::task_rejected) extensions.rejected_requeue = event.requeue;
  extensions.exchange = text_of(pool, record.exchange);
  extensions.routing_key = text_of(pool, record.routing_key);
  if (const EpochMillis expires = table_.extras(record).expires_ms; expires != kNoTime) {
    extensions.expires = format_iso8601_millis(expires);
  }
  return extensions;
}

}  // namespace sluice::track
