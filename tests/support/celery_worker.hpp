#pragma once
// Real Celery processes for end-to-end tests: Debian's python3-celery run
// with /usr/bin/python3 on tests/support/celery/sluice_test_app.py, talking
// to a private redis-server. A worker and a task producer, each stopped by
// PID (SIGTERM, then SIGKILL) when the object goes away.

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "config/url.hpp"
#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

namespace sluice::testing {

struct CeleryOptions {
  std::string broker;              // redis://127.0.0.1:PORT/DB
  std::string transport_options;   // JSON for broker_transport_options; "" = defaults
  bool sent_events = true;         // task_send_sent_event
  std::vector<std::pair<std::string, std::string>> extra_env;

  // A broker URL for a RedisServer's plain port (password/ACL user included).
  static CeleryOptions for_broker(const config::RedisUrl& url);
};

struct WorkerOptions {
  std::string node_name = "worker@sluice-test";
  std::string pool = "prefork";
  int concurrency = 1;
  bool task_events = false;  // -E; off: task events only after an enable_events broadcast
};

class CeleryWorker {
 public:
  CeleryWorker(const CeleryOptions& celery, const WorkerOptions& worker = {});
  pid_t pid() const { return process_->pid(); }
  bool running() { return process_->running(); }
  // The worker's own log (INFO level), e.g. to find "enabled by remote".
  std::string log() const;
  void stop();

 private:
  TempDir dir_;
  std::unique_ptr<ChildProcess> process_;
};

// Bursts of `size` tasks sent at once, a random (seeded) pause in
// [min_pause, max_pause] seconds between bursts, for `seconds`.
struct Bursts {
  int size = 6;
  double min_pause = 6;
  double max_pause = 12;
  double seconds = 60;
};

class CeleryProducer {
 public:
  // Sends `task` with JSON `args` `count` times (0 = until stopped), `every_seconds` apart.
  CeleryProducer(const CeleryOptions& celery, const std::string& task, const std::vector<std::string>& args,
                 int count = 1, double every_seconds = 0);
  CeleryProducer(const CeleryOptions& celery, const std::string& task, const std::vector<std::string>& args,
                 const Bursts& bursts);
  // Task ids printed so far (one per sent task).
  std::vector<std::string> task_ids() const;
  bool wait_done(std::chrono::milliseconds timeout);  // for a finite count
  void stop();

 private:
  void start(const CeleryOptions& celery, std::vector<std::string> options, const std::string& task,
             const std::vector<std::string>& args);

  TempDir dir_;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace sluice::testing
