#pragma once
// run_until: runs an io_context until a condition holds or a deadline
// passes — how tests wait for asynchronous outcomes instead of sleeping.

#include <chrono>
#include <functional>
#include <thread>

#include "common/asio.hpp"

namespace sluice::testing {

// Returns whether `done()` held before `timeout`. Polls in short slices, so
// conditions that other threads (a test server) make true are seen too.
inline bool run_until(asio::io_context& io, const std::function<bool()>& done,
                      std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    if (io.stopped()) io.restart();
    if (io.run_for(std::chrono::milliseconds(5)) == 0 && io.stopped()) {
      // Nothing to run here: the condition waits on another thread.
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  return true;
}

}  // namespace sluice::testing
