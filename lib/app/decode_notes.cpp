#include "app/decode_notes.hpp"

#include <string>

namespace sluice::app {

DecodeNotes::DecodeNotes(observe::Metrics& metrics, observe::Logger& log)
    : log_(log), limiter_(std::chrono::minutes(1)) {
  for (std::size_t i = 0; i < kReasons; ++i) {
    by_reason_[i] = &metrics.counter("sluiced_decode_errors_total",
                                     "Broker messages that could not be decoded or held elements that were not events (one per message), by reason",
                                     {{"reason", decode::to_string(decode::kAllDecodeErrorReasons[i])}});
  }
}

void DecodeNotes::note_decode_error(const decode::DecodeError& error, std::chrono::steady_clock::time_point now) {
  by_reason_[static_cast<std::size_t>(error.reason)]->inc();
  const std::string reason = decode::to_string(error.reason);
  std::uint64_t suppressed = 0;
  if (!limiter_.allow(reason, now, suppressed)) return;
  log_.log(observe::Level::warn, "dropped a broker message that could not be decoded",
           {{"reason", reason}, {"excerpt", error.excerpt}, {"suppressed", std::to_string(suppressed)}});
}

}  // namespace sluice::app
