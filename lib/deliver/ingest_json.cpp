#include "deliver/ingest_json.hpp"

#include "track/json_text.hpp"

namespace sluice::deliver {
namespace {

using namespace track;

void optional_string(JsonObjectWriter& w, std::string_view name, const std::optional<std::string>& value) {
  if (value) w.string(name, *value);
}

void optional_time(JsonObjectWriter& w, std::string_view name, const std::optional<EpochMillis>& value) {
  if (value) w.iso_time(name, *value);
}

bool has_revoked(const JobExtensions& e) { return e.revoked_terminated || e.revoked_signum || e.revoked_expired; }

bool is_empty(const JobExtensions& e) {
  return !e.runtime && !has_revoked(e) && !e.rejected_requeue && !e.exchange && !e.routing_key && !e.expires &&
         !e.source;
}

void write_extensions(std::string& out, const JobExtensions& e) {
  JsonObjectWriter w(out);
  if (e.runtime) w.number("runtime", *e.runtime);
  if (has_revoked(e)) {
    JsonObjectWriter revoked(w.key("revoked"));
    if (e.revoked_terminated) revoked.boolean("terminated", *e.revoked_terminated);
    if (e.revoked_signum) revoked.integer("signum", *e.revoked_signum);
    if (e.revoked_expired) revoked.boolean("expired", *e.revoked_expired);
    revoked.close();
  }
  if (e.rejected_requeue) {
    JsonObjectWriter rejected(w.key("rejected"));
    rejected.boolean("requeue", *e.rejected_requeue);
    rejected.close();
  }
  optional_string(w, "exchange", e.exchange);
  optional_string(w, "routingKey", e.routing_key);
  optional_string(w, "expires", e.expires);
  optional_string(w, "source", e.source);
  w.close();
}

void write_job(std::string& out, const Job& job) {
  JsonObjectWriter w(out);
  w.string("externalId", job.external_id);
  w.string("name", job.name);
  optional_string(w, "queue", job.queue);
  w.string("state", to_string(job.state));
  if (job.previous_state) w.string("previousState", to_string(*job.previous_state));
  optional_string(w, "workerId", job.worker_id);
  w.integer("attempt", job.attempt);
  if (job.progress) w.number("progress", *job.progress);
  optional_string(w, "error", job.error);
  optional_string(w, "stacktrace", job.stacktrace);
  optional_time(w, "createdAt", job.created_at);
  optional_time(w, "startedAt", job.started_at);
  optional_time(w, "completedAt", job.completed_at);
  optional_time(w, "scheduledFor", job.scheduled_for);
  optional_string(w, "parentId", job.parent_id);
  optional_string(w, "rootId", job.root_id);
  if (!is_empty(job.extensions)) write_extensions(w.key("extensions"), job.extensions);
  w.close();
}

void write_metadata(std::string& out, const WorkerMetadata& m) {
  JsonObjectWriter w(out);
  optional_string(w, "software", m.software);
  optional_string(w, "system", m.system);
  if (m.loadavg) {
    std::string& list = w.key("loadavg");
    list.push_back('[');
    bool first = true;
    for (double value : *m.loadavg) {
      if (!first) list.push_back(',');
      if (!append_json_number(list, value)) list += "0";
      first = false;
    }
    list.push_back(']');
  }
  if (m.heartbeat_interval) w.number("heartbeatInterval", *m.heartbeat_interval);
  w.close();
}

void write_worker(std::string& out, const Worker& worker) {
  JsonObjectWriter w(out);
  w.string("externalId", worker.external_id);
  w.string("hostname", worker.hostname);
  if (worker.pid) w.integer("pid", *worker.pid);
  w.string("state", to_string(worker.state));
  optional_time(w, "lastHeartbeat", worker.last_heartbeat);
  if (worker.active_jobs) w.integer("activeJobs", *worker.active_jobs);
  if (worker.processed_total) w.integer("processedTotal", *worker.processed_total);
  const WorkerMetadata& m = worker.metadata;
  if (m.software || m.system || m.loadavg || m.heartbeat_interval) write_metadata(w.key("metadata"), m);
  w.close();
}

void write_queue(std::string& out, const QueueSnapshot& queue) {
  JsonObjectWriter w(out);
  w.string("name", queue.name);
  w.integer("depth", queue.depth);
  if (queue.consumers) w.integer("consumers", *queue.consumers);
  w.close();
}

}  // namespace

void append_ingest_json(std::string& out, const IngestEvent& event, const IngestJsonContext& context) {
  JsonObjectWriter w(out);
  w.string("type", event.type());
  w.iso_time("timestamp", event.timestamp);
  w.string("framework", context.framework);
  w.string("connectionId", context.connection_id);
  if (const auto* job = std::get_if<Job>(&event.body)) {
    write_job(w.key("job"), *job);
  } else if (const auto* worker = std::get_if<Worker>(&event.body)) {
    write_worker(w.key("worker"), *worker);
  } else if (const auto* queue = std::get_if<QueueSnapshot>(&event.body)) {
    write_queue(w.key("queue"), *queue);
  }
  w.close();
}

std::string to_ingest_json(const IngestEvent& event, const IngestJsonContext& context) {
  std::string out;
  out.reserve(512);
  append_ingest_json(out, event, context);
  return out;
}

EventKind event_kind(const IngestEvent& event) {
  if (std::holds_alternative<Job>(event.body)) return EventKind::job;
  if (std::holds_alternative<Worker>(event.body)) return EventKind::worker;
  return EventKind::queue;
}

EventKey ordering_key(const IngestEvent& event) {
  if (const auto* job = std::get_if<Job>(&event.body)) return key_of(EventKind::job, job->external_id);
  if (const auto* worker = std::get_if<Worker>(&event.body)) return key_of(EventKind::worker, worker->external_id);
  if (const auto* queue = std::get_if<QueueSnapshot>(&event.body)) return key_of(EventKind::queue, queue->name);
  return 0;
}

void encode_event(EncodedEvents& out, const IngestEvent& event, const IngestJsonContext& context) {
  append_ingest_json(out.open_event(), event, context);
  out.close_event(event_kind(event), ordering_key(event));
}

}  // namespace sluice::deliver
