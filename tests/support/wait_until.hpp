#pragma once
// Polls a condition until it holds or a deadline passes: how tests wait for
// asynchronous effects instead of sleeping a fixed time.

#include <chrono>
#include <thread>

namespace sluice::testing {

template <class Condition>
bool wait_until(Condition condition, std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return condition();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace sluice::testing
