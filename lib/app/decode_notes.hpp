#pragma once
// DecodeNotes: how the app observes bad input from the broker — one counter
// per reason (sluiced_decode_errors_total{reason}) and a log line at most
// once per reason per minute, with a short excerpt and how many were held
// back. Decoding itself never logs (docs/architecture.md §4).

#include <array>
#include <chrono>

#include "decode/decode_error.hpp"
#include "observe/log.hpp"
#include "observe/metrics.hpp"

namespace sluice::app {

class DecodeNotes {
 public:
  DecodeNotes(observe::Metrics& metrics, observe::Logger& log);

  void note_decode_error(const decode::DecodeError& error, std::chrono::steady_clock::time_point now);

 private:
  static constexpr std::size_t kReasons = std::size(decode::kAllDecodeErrorReasons);

  observe::Logger& log_;
  observe::LogRateLimiter limiter_;
  std::array<observe::Counter*, kReasons> by_reason_{};
};

}  // namespace sluice::app
