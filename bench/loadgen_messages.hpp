#pragma once
// Builds kombu envelopes byte-for-byte like Celery 5.2 on Redis (templates
// taken from tests/fixtures/celery-5.2/prefork.jsonl): the event body is JSON,
// base64-encoded into the envelope; only uuids, clocks and timestamps change.
// Everything appends to caller-owned buffers: the generator shares the
// benchmark machine's two cores with sluiced, so every cycle it spends is
// one the daemon under test does not get.

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/base64.hpp"

namespace sluice::bench {

// Python's repr of time.time() has up to 7 decimals in these captures.
inline void append_py_float(std::string& out, double value) {
  char text[40];
  const auto end = std::to_chars(text, text + sizeof text, value, std::chars_format::fixed, 7).ptr;
  out.append(text, end);
}

inline void append_integer(std::string& out, std::uint64_t value) {
  char text[24];
  out.append(text, std::to_chars(text, text + sizeof text, value).ptr);
}

inline void append_event_head(std::string& out, std::string_view hostname, int pid, std::uint64_t clock) {
  out += "{\"hostname\": \"";
  out += hostname;
  out += "\", \"utcoffset\": 0, \"pid\": ";
  append_integer(out, static_cast<std::uint64_t>(pid));
  out += ", \"clock\": ";
  append_integer(out, clock);
}

inline void append_event_tail(std::string& out, double timestamp, std::string_view type) {
  out += ", \"timestamp\": ";
  append_py_float(out, timestamp);
  out += ", \"type\": \"";
  out += type;
  out += "\"}";
}

// `"uuid": "<uuid>"` preceded by a comma.
inline void append_uuid_field(std::string& out, std::string_view uuid) {
  out += ", \"uuid\": \"";
  out += uuid;
  out += '"';
}

inline void append_heartbeat_body(std::string& out, std::string_view hostname, int pid, std::uint64_t clock,
                                  double now, int active, std::uint64_t processed) {
  append_event_head(out, hostname, pid, clock);
  out += ", \"freq\": 2.0, \"active\": ";
  append_integer(out, static_cast<std::uint64_t>(active));
  out += ", \"processed\": ";
  append_integer(out, processed);
  out += ", \"loadavg\": [0.11, 0.11, 0.04], \"sw_ident\": \"py-celery\", \"sw_ver\": \"5.2.6\", \"sw_sys\": "
         "\"Linux\"";
  append_event_tail(out, now, "worker-heartbeat");
}

inline void append_sent_body(std::string& out, std::string_view uuid, std::uint64_t clock, double now) {
  append_event_head(out, "gen8692@vm", 8692, clock);
  append_uuid_field(out, uuid);
  out += ", \"root_id\": \"";
  out += uuid;
  out += "\", \"parent_id\": null, \"name\": \"fixture.add\", \"args\": \"(2, 3)\", \"kwargs\": \"{}\", "
         "\"retries\": 0, \"eta\": null, \"expires\": null, \"queue\": \"celery\", \"exchange\": \"\", "
         "\"routing_key\": \"celery\"";
  append_event_tail(out, now, "task-sent");
}

inline void append_received_body(std::string& out, std::string_view host, std::string_view uuid,
                                 std::uint64_t clock, double now) {
  append_event_head(out, host, 8622, clock);
  append_uuid_field(out, uuid);
  out += ", \"name\": \"fixture.add\", \"args\": \"(2, 3)\", \"kwargs\": \"{}\", \"root_id\": \"";
  out += uuid;
  out += "\", \"parent_id\": null, \"retries\": 0, \"eta\": null, \"expires\": null";
  append_event_tail(out, now, "task-received");
}

inline void append_started_body(std::string& out, std::string_view host, std::string_view uuid,
                                std::uint64_t clock, double now) {
  append_event_head(out, host, 8622, clock);
  append_uuid_field(out, uuid);
  append_event_tail(out, now, "task-started");
}

inline void append_succeeded_body(std::string& out, std::string_view host, std::string_view uuid,
                                  std::uint64_t clock, double now) {
  append_event_head(out, host, 8622, clock);
  append_uuid_field(out, uuid);
  out += ", \"result\": \"5\", \"runtime\": 0.03479214799881447";
  append_event_tail(out, now, "task-succeeded");
}

inline void append_failed_body(std::string& out, std::string_view host, std::string_view uuid,
                               std::uint64_t clock, double now) {
  append_event_head(out, host, 8622, clock);
  append_uuid_field(out, uuid);
  out += ", \"exception\": \"ValueError('boom')\", \"traceback\": \"Traceback (most recent call "
         "last):\\n  File \\\"/usr/lib/python3/dist-packages/celery/app/trace.py\\\", line 451, "
         "in trace_task\\n    R = retval = fun(*args, **kwargs)\\n                 "
         "^^^^^^^^^^^^^^^^^^^^\\n  File \\\"/usr/lib/python3/dist-packages/celery/app/trace.py\\\", "
         "line 734, in __protected_call__\\n    return self.run(*args, **kwargs)\\n           "
         "^^^^^^^^^^^^^^^^^^^^^^^^^\\n  File \\\"fixtures/tools/fixture_app.py\\\", line 76, in "
         "fail\\n    raise ValueError(msg)\\nValueError: boom\\n\"";
  append_event_tail(out, now, "task-failed");
}

// The kombu envelope around an already-serialized body (one event or a list).
inline void append_envelope(std::string& out, std::string_view body, std::string_view hostname,
                            std::string_view routing_key, std::string_view delivery_tag) {
  out += "{\"body\": \"";
  base64_encode_append(body, out);
  out += "\", \"content-encoding\": \"utf-8\", \"content-type\": \"application/json\", \"headers\": {\"hostname\": \"";
  out += hostname;
  out += "\"}, \"properties\": {\"delivery_mode\": 1, \"delivery_info\": {\"exchange\": \"celeryev\", \"routing_key\": \"";
  out += routing_key;
  out += "\"}, \"priority\": 0, \"body_encoding\": \"base64\", \"delivery_tag\": \"";
  out += delivery_tag;
  out += "\"}}";
}

// One RESP PUBLISH command, as hiredis would format it.
inline void append_publish_command(std::string& out, std::string_view channel, std::string_view payload) {
  out += "*3\r\n$7\r\nPUBLISH\r\n$";
  append_integer(out, channel.size());
  out += "\r\n";
  out += channel;
  out += "\r\n$";
  append_integer(out, payload.size());
  out += "\r\n";
  out += payload;
  out += "\r\n";
}

}  // namespace sluice::bench
