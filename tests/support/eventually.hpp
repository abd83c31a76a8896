#pragma once
// Waiting for a condition in tests instead of sleeping: polls `condition`
// until it holds or a generous limit passes (a hang guard, not a timing claim).

#include <chrono>
#include <thread>

namespace sluice::testing {

template <class Condition>
bool eventually(Condition condition, std::chrono::milliseconds limit = std::chrono::seconds(30)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

}  // namespace sluice::testing
