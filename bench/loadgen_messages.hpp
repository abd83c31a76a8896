#pragma once
// Builds kombu envelopes byte-for-byte like Celery 5.2 on Redis (templates
// taken from tests/fixtures/celery-5.2/prefork.jsonl): the event body is JSON,
// base64-encoded into the envelope; only uuids, clocks and timestamps change.

#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "common/base64.hpp"
#include "common/uuid.hpp"

namespace sluice::bench {

inline std::string py_float(double value) {
  char text[40];
  std::snprintf(text, sizeof text, "%.7f", value);
  return text;
}

inline std::string event_head(const std::string& hostname, int pid, std::uint64_t clock) {
  return "{\"hostname\": \"" + hostname + "\", \"utcoffset\": 0, \"pid\": " + std::to_string(pid) +
         ", \"clock\": " + std::to_string(clock);
}

inline std::string event_tail(double timestamp, const char* type) {
  return ", \"timestamp\": " + py_float(timestamp) + ", \"type\": \"" + type + "\"}";
}

inline std::string heartbeat_body(const std::string& hostname, int pid, std::uint64_t clock,
                                  double now, int active, std::uint64_t processed) {
  return event_head(hostname, pid, clock) + ", \"freq\": 2.0, \"active\": " +
         std::to_string(active) + ", \"processed\": " + std::to_string(processed) +
         ", \"loadavg\": [0.11, 0.11, 0.04], \"sw_ident\": \"py-celery\", \"sw_ver\": "
         "\"5.2.6\", \"sw_sys\": \"Linux\"" +
         event_tail(now, "worker-heartbeat");
}

inline std::string sent_body(const std::string& uuid, std::uint64_t clock, double now) {
  return event_head("gen8692@vm", 8692, clock) + ", \"uuid\": \"" + uuid + "\", \"root_id\": \"" +
         uuid +
         "\", \"parent_id\": null, \"name\": \"fixture.add\", \"args\": \"(2, 3)\", \"kwargs\": "
         "\"{}\", \"retries\": 0, \"eta\": null, \"expires\": null, \"queue\": \"celery\", "
         "\"exchange\": \"\", \"routing_key\": \"celery\"" +
         event_tail(now, "task-sent");
}

inline std::string received_body(const std::string& host, const std::string& uuid,
                                 std::uint64_t clock, double now) {
  return event_head(host, 8622, clock) + ", \"uuid\": \"" + uuid +
         "\", \"name\": \"fixture.add\", \"args\": \"(2, 3)\", \"kwargs\": \"{}\", \"root_id\": "
         "\"" + uuid + "\", \"parent_id\": null, \"retries\": 0, \"eta\": null, \"expires\": null" +
         event_tail(now, "task-received");
}

inline std::string started_body(const std::string& host, const std::string& uuid,
                                std::uint64_t clock, double now) {
  return event_head(host, 8622, clock) + ", \"uuid\": \"" + uuid + "\"" +
         event_tail(now, "task-started");
}

inline std::string succeeded_body(const std::string& host, const std::string& uuid,
                                  std::uint64_t clock, double now) {
  return event_head(host, 8622, clock) + ", \"uuid\": \"" + uuid +
         "\", \"result\": \"5\", \"runtime\": 0.03479214799881447" +
         event_tail(now, "task-succeeded");
}

inline std::string failed_body(const std::string& host, const std::string& uuid,
                               std::uint64_t clock, double now) {
  return event_head(host, 8622, clock) + ", \"uuid\": \"" + uuid +
         "\", \"exception\": \"ValueError('boom')\", \"traceback\": \"Traceback (most recent call "
         "last):\\n  File \\\"/usr/lib/python3/dist-packages/celery/app/trace.py\\\", line 451, "
         "in trace_task\\n    R = retval = fun(*args, **kwargs)\\n                 "
         "^^^^^^^^^^^^^^^^^^^^\\n  File \\\"/usr/lib/python3/dist-packages/celery/app/trace.py\\\", "
         "line 734, in __protected_call__\\n    return self.run(*args, **kwargs)\\n           "
         "^^^^^^^^^^^^^^^^^^^^^^^^^\\n  File \\\"fixtures/tools/fixture_app.py\\\", line 76, in "
         "fail\\n    raise ValueError(msg)\\nValueError: boom\\n\"" +
         event_tail(now, "task-failed");
}

// The kombu envelope around an already-serialized body (one event or a list).
inline std::string envelope(const std::string& body, const std::string& hostname,
                            const std::string& routing_key, std::mt19937_64& rng) {
  return "{\"body\": \"" + base64_encode(body) +
         "\", \"content-encoding\": \"utf-8\", \"content-type\": \"application/json\", "
         "\"headers\": {\"hostname\": \"" + hostname +
         "\"}, \"properties\": {\"delivery_mode\": 1, \"delivery_info\": {\"exchange\": "
         "\"celeryev\", \"routing_key\": \"" + routing_key +
         "\"}, \"priority\": 0, \"body_encoding\": \"base64\", \"delivery_tag\": \"" +
         random_uuid4(rng) + "\"}}";
}

inline std::string json_list(const std::vector<std::string>& bodies) {
  std::string out = "[";
  for (std::size_t i = 0; i < bodies.size(); ++i) {
    if (i != 0) out += ", ";
    out += bodies[i];
  }
  return out + "]";
}

}  // namespace sluice::bench
