#pragma once
// Hand-built Celery events and a small harness for the track tests.

#include <chrono>
#include <string>
#include <vector>

#include "decode/celery_event.hpp"
#include "track/tracker.hpp"

namespace sluice::track::testing {

using decode::CeleryEvent;

inline constexpr double kT0 = 1795498138.0;  // 2026-11-24T05:28:58.000Z
inline const std::string kTask = "3bd8cd07-aa10-4fcd-95bc-957322efc078";
inline const std::string kOtherTask = "f0bcec0b-80eb-438d-acad-3258a7e7bdd9";
inline const std::string kWorkerNode = "w1@host";
inline const std::string kClient = "gen42@client";

inline Clock::time_point at_ms(long long millis) { return Clock::time_point{} + std::chrono::milliseconds(millis); }

inline CeleryEvent task_event(std::string type, const std::string& uuid, double ts,
                              const std::string& host = kWorkerNode) {
  CeleryEvent e;
  e.type = std::move(type);
  e.uuid = uuid;
  e.timestamp = ts;
  e.hostname = host;
  e.pid = 100;
  return e;
}

inline CeleryEvent sent(const std::string& uuid, double ts, const std::string& name = "app.add", int retries = 0) {
  CeleryEvent e = task_event("task-sent", uuid, ts, kClient);
  e.name = name;
  e.retries = retries;
  e.queue = "celery";
  e.exchange = "";
  e.routing_key = "celery";
  e.root_id = uuid;
  return e;
}

inline CeleryEvent received(const std::string& uuid, double ts, const std::string& name = "app.add",
                            int retries = 0) {
  CeleryEvent e = task_event("task-received", uuid, ts);
  e.name = name;
  e.retries = retries;
  e.root_id = uuid;
  return e;
}

inline CeleryEvent started(const std::string& uuid, double ts) { return task_event("task-started", uuid, ts); }

inline CeleryEvent succeeded(const std::string& uuid, double ts) {
  CeleryEvent e = task_event("task-succeeded", uuid, ts);
  e.runtime = 0.25;
  return e;
}

inline CeleryEvent failed(const std::string& uuid, double ts, const std::string& exception = "ValueError('boom')") {
  CeleryEvent e = task_event("task-failed", uuid, ts);
  e.exception = exception;
  e.traceback = "Traceback (most recent call last):\n  File \"x.py\", line 1\nValueError: boom\n";
  return e;
}

inline CeleryEvent retried(const std::string& uuid, double ts) {
  CeleryEvent e = task_event("task-retried", uuid, ts);
  e.exception = "RuntimeError('flaky')";
  e.traceback = "Traceback (most recent call last):\nRuntimeError: flaky\n";
  return e;
}

inline CeleryEvent rejected(const std::string& uuid, double ts, bool requeue) {
  CeleryEvent e = task_event("task-rejected", uuid, ts);
  e.requeue = requeue;
  return e;
}

inline CeleryEvent revoked(const std::string& uuid, double ts) {
  CeleryEvent e = task_event("task-revoked", uuid, ts);
  e.terminated = true;
  e.signum = 15;
  e.expired = false;
  return e;
}

inline CeleryEvent progress(const std::string& uuid, double ts, double current, double total) {
  CeleryEvent e = task_event("task-progress", uuid, ts);
  e.current = current;
  e.total = total;
  return e;
}

inline CeleryEvent worker_event(std::string type, double ts, const std::string& node = kWorkerNode) {
  CeleryEvent e;
  e.type = std::move(type);
  e.hostname = node;
  e.timestamp = ts;
  e.pid = 4242;
  e.freq = 2.0;
  e.sw_ident = "py-celery";
  e.sw_ver = "5.2.6";
  e.sw_sys = "Linux";
  return e;
}

inline CeleryEvent heartbeat(double ts, long long active, long long processed, const std::string& node = kWorkerNode) {
  CeleryEvent e = worker_event("worker-heartbeat", ts, node);
  e.active = active;
  e.processed = processed;
  e.loadavg = std::vector<double>{0.12, 0.11, 0.04};
  return e;
}

// The answer to a `heartbeat` broadcast: only freq=5 and sw_* (§4.2).
inline CeleryEvent reduced_heartbeat(double ts, const std::string& node = kWorkerNode) {
  CeleryEvent e = worker_event("worker-heartbeat", ts, node);
  e.freq = 5;
  return e;
}

// A Tracker plus the events it emitted, split by kind.
struct Harness {
  explicit Harness(TrackerOptions options = {}) : tracker(options) {}

  std::vector<IngestEvent> feed(const CeleryEvent& event, long long now_ms = 0) {
    std::vector<IngestEvent> out;
    tracker.on_event(event, at_ms(now_ms), out);
    all.insert(all.end(), out.begin(), out.end());
    return out;
  }
  std::vector<IngestEvent> tick(long long now_ms) {
    std::vector<IngestEvent> out;
    tracker.on_tick(at_ms(now_ms), out);
    all.insert(all.end(), out.begin(), out.end());
    return out;
  }
  std::vector<Job> jobs() const {
    std::vector<Job> result;
    for (const auto& e : all) {
      if (const auto* job = std::get_if<Job>(&e.body)) result.push_back(*job);
    }
    return result;
  }
  std::vector<JobState> states() const {
    std::vector<JobState> result;
    for (const auto& job : jobs()) result.push_back(job.state);
    return result;
  }
  std::vector<int> attempts() const {
    std::vector<int> result;
    for (const auto& job : jobs()) result.push_back(job.attempt);
    return result;
  }
  std::vector<Worker> workers() const {
    std::vector<Worker> result;
    for (const auto& e : all) {
      if (const auto* worker = std::get_if<Worker>(&e.body)) result.push_back(*worker);
    }
    return result;
  }

  Tracker tracker;
  std::vector<IngestEvent> all;
};

// Options without the reorder window, for tests about the state machine.
inline TrackerOptions immediate() {
  TrackerOptions options;
  options.reorder_window = std::chrono::milliseconds(0);
  return options;
}

}  // namespace sluice::track::testing
