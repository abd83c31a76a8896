#pragma once
// RecordedMessages: a thread-safe list that a Subscriber callback (on the
// io thread) appends to and a test (on its own thread) waits on.

#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "source/redis_message.hpp"
#include "support/wait_until.hpp"

namespace sluice::testing {

class RecordedMessages {
 public:
  std::function<void(source::RedisMessage&&)> handler() {
    return [this](source::RedisMessage&& m) {
      const std::lock_guard lock(mutex_);
      messages_.push_back(std::move(m));
    };
  }
  std::vector<source::RedisMessage> all() const {
    const std::lock_guard lock(mutex_);
    return messages_;
  }
  std::size_t size() const {
    const std::lock_guard lock(mutex_);
    return messages_.size();
  }
  bool wait_for_count(std::size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(10)) const {
    return wait_until([&] { return size() >= n; }, timeout);
  }
  // How many recorded payloads satisfy `predicate`.
  std::size_t count_if(const std::function<bool(const source::RedisMessage&)>& predicate) const {
    const std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (const auto& m : messages_) n += predicate(m) ? 1 : 0;
    return n;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<source::RedisMessage> messages_;
};

}  // namespace sluice::testing
