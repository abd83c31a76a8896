#pragma once
// DeliveryNotes: everything delivery tells the outside world. Each note bumps
// the metrics, updates the /health status and writes a log line only when
// the condition changes (or, for rejected events, rate-limited per type) —
// the loop itself never formats a log line (docs/architecture.md §4).

#include <chrono>
#include <cstddef>
#include <exception>
#include <string>
#include <string_view>

#include "deliver/delivery_status.hpp"
#include "deliver/send_result.hpp"
#include "observe/log.hpp"
#include "observe/metrics.hpp"

namespace sluice::deliver {

class DeliveryNotes {
 public:
  using WallTime = DeliveryStatus::WallTime;
  using SteadyTime = std::chrono::steady_clock::time_point;

  DeliveryNotes(observe::Metrics& metrics, observe::Logger& log);

  void note_waiting(std::size_t events);  // buffered + in flight
  void note_overflow();
  void note_attempt(const SendResult& result, std::chrono::duration<double> elapsed);
  void note_delivered(std::size_t events, WallTime now);
  void note_rejected(const std::string& event, const SendResult& result, SteadyTime now);
  void note_oversized(const std::string& event, std::size_t limit, SteadyTime now);
  void note_backoff(const SendResult& result, std::chrono::milliseconds delay, WallTime now);
  void note_stopped(const SendResult& result, std::string_view hint, std::chrono::milliseconds retry,
                    WallTime now);
  void note_rate_limited(const SendResult& result, std::chrono::milliseconds delay, WallTime now);
  void note_shutdown(std::size_t dropped);
  void note_after_shutdown();  // an event pushed after the flush: counted, not logged
  void note_loop_failed(const std::exception_ptr& error);

  const DeliveryStatus& status() const { return status_; }

 private:
  observe::Counter& batches(int status);
  void count_rejected(const std::string& event, std::string_view why, const ApiError& error, SteadyTime now);
  void leave_ok(Condition condition, std::string problem, WallTime now);

  observe::Logger& log_;
  observe::Counter& delivered_;
  observe::Counter& dropped_overflow_;
  observe::Counter& dropped_rejected_;
  observe::Counter& dropped_shutdown_;
  observe::Counter& batches_2xx_;
  observe::Counter& batches_4xx_;
  observe::Counter& batches_5xx_;
  observe::Counter& batches_error_;
  observe::Histogram& duration_;
  observe::Gauge& waiting_;
  observe::LogRateLimiter rejected_lines_;
  DeliveryStatus status_;
};

}  // namespace sluice::deliver
