#include "support/task_event_flow.hpp"

#include <chrono>
#include <memory>
#include <stdexcept>

#include "support/blocking_redis.hpp"
#include "support/celery_events.hpp"

namespace sluice::testing {

using namespace std::chrono_literals;

TaskEventFlow::TaskEventFlow(Locate locate, std::string prefix)
    : locate_(std::move(locate)), prefix_(std::move(prefix)), thread_([this] { run(); }) {}

void TaskEventFlow::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

std::vector<std::string> TaskEventFlow::tasks() const {
  std::lock_guard lock(mutex_);
  return tasks_;
}

std::size_t TaskEventFlow::count() const {
  std::lock_guard lock(mutex_);
  return tasks_.size();
}

void TaskEventFlow::run() {
  std::unique_ptr<BlockingRedis> client;
  bool announced = false;
  for (long long n = 0; !stopping_; ++n) {
    const std::string uuid = prefix_ + "-" + std::to_string(n);
    try {
      if (!client) {
        const auto port = locate_();
        if (!port) throw std::runtime_error("no node to publish to");
        client = std::make_unique<BlockingRedis>("127.0.0.1", *port);
      }
      if (!announced) publish_event(*client, worker_event("worker-online", "w1@ha", now_seconds(), 0));
      announced = true;
      publish_event(*client, task_event("task-sent", uuid, "gen1@ha"));
      for (const char* type : {"task-received", "task-started", "task-succeeded"}) {
        publish_event(*client, task_event(type, uuid, "w1@ha"));
      }
      {
        std::lock_guard lock(mutex_);
        tasks_.push_back(uuid);
      }
      if (n % 50 == 0) publish_event(*client, worker_event("worker-heartbeat", "w1@ha", now_seconds(), n));
    } catch (const std::runtime_error&) {
      client.reset();  // the node went away: ask where to publish again
    }
    std::this_thread::sleep_for(20ms);  // the pace of the traffic, not a synchronisation
  }
}

}  // namespace sluice::testing
