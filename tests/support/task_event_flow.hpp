#pragma once
// TaskEventFlow: a busy worker's events, published by a test thread — each
// task's lifecycle (task-sent, -received, -started, -succeeded) every 20 ms
// and a worker heartbeat every 50 tasks — until stopped. It publishes to
// the node `locate` names, asked again whenever a publish fails (as a Celery
// client asks the sentinels again when its connection breaks). Only tasks
// whose four events were all published count as sent; one cut off by a
// failure is not published again.

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace sluice::testing {

class TaskEventFlow {
 public:
  // The port to publish to now, or nothing (none known yet: asked again shortly).
  using Locate = std::function<std::optional<std::uint16_t>()>;

  // `prefix` names the tasks: "<prefix>-0", "<prefix>-1", …
  TaskEventFlow(Locate locate, std::string prefix);
  explicit TaskEventFlow(std::uint16_t port, std::string prefix = "ha-task")
      : TaskEventFlow([port] { return std::optional<std::uint16_t>(port); }, std::move(prefix)) {}
  ~TaskEventFlow() { stop(); }
  TaskEventFlow(const TaskEventFlow&) = delete;
  TaskEventFlow& operator=(const TaskEventFlow&) = delete;

  void stop();
  std::vector<std::string> tasks() const;  // every task whose lifecycle was published
  std::size_t count() const;

 private:
  void run();

  Locate locate_;
  std::string prefix_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::vector<std::string> tasks_;
  std::thread thread_;
};

}  // namespace sluice::testing
