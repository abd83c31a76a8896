#pragma once
// DeliveryNotes: everything delivery tells the outside world. Each note bumps
// the metrics, updates the /health status and writes a log line only when
// the condition changes (or, for rejected events, rate-limited per type) —
// the loop itself never formats a log line. The status is published on a
// StatusBoard that other threads read
// (docs/architecture.md §4).

#include <array>
#include <chrono>
#include <cstddef>
#include <exception>
#include <string>
#include <string_view>

#include "deliver/delivery_status.hpp"
#include "deliver/encoded_events.hpp"
#include "deliver/send_result.hpp"
#include "deliver/status_board.hpp"
#include "deliver/supersession.hpp"
#include "observe/log.hpp"
#include "observe/metrics.hpp"

namespace sluice::deliver {

// sluiced_events_coalesced_total counts, by reason, events a later one stood
// for: the tracker's (never produced) and delivery's (superseded while a
// quota halt held them).
inline constexpr char kCoalesced[] = "sluiced_events_coalesced_total";
inline constexpr char kCoalescedHelp[] = "Ingest events never sent because a later one stood for them, by reason";

class DeliveryNotes {
 public:
  using WallTime = DeliveryStatus::WallTime;
  using SteadyTime = std::chrono::steady_clock::time_point;

  DeliveryNotes(observe::Metrics& metrics, observe::Logger& log);

  void note_waiting(std::size_t events, std::size_t bytes);  // buffered + in flight
  void note_overflow(std::size_t events = 1);
  // A quota halt's supersession: `before` events went in, `after` stay.
  void note_superseded(const std::array<std::size_t, kSupersededKinds>& superseded, std::size_t overflow,
                       std::size_t before, std::size_t after);
  void note_attempt(const SendResult& result, std::chrono::duration<double> elapsed);
  void note_delivered(std::size_t events, WallTime now);
  void note_rejected(EventKind kind, const SendResult& result, SteadyTime now);
  void note_oversized(EventKind kind, std::size_t bytes, std::size_t limit, SteadyTime now);
  void note_backoff(const SendResult& result, std::chrono::milliseconds delay, WallTime now);
  void note_stopped(const SendResult& result, std::string_view hint, std::chrono::milliseconds retry,
                    WallTime now);
  void note_rate_limited(const SendResult& result, std::chrono::milliseconds delay, WallTime now);
  void note_shutdown(std::size_t dropped, std::size_t kept_spooled = 0);
  void note_after_shutdown();  // an event pushed after the flush: counted, not logged
  void note_loop_failed(const std::exception_ptr& error);

  void note_concurrency(std::size_t limit, std::size_t in_flight, double rtt_seconds);

  const DeliveryStatus& status() const { return status_; }
  const StatusBoard& board() const { return board_; }

 private:
  observe::Counter& batches(int status);
  void publish() { board_.publish(status_); }
  void count_rejected(EventKind kind, std::string_view why, const ApiError& error, SteadyTime now);
  void leave_ok(Condition condition, std::string problem, WallTime now);

  observe::Logger& log_;
  observe::Counter& delivered_;
  observe::Counter& dropped_overflow_;
  observe::Counter& dropped_rejected_;
  observe::Counter& dropped_shutdown_;
  std::array<observe::Counter*, kSupersededKinds> superseded_{};
  observe::Counter& batches_2xx_;
  observe::Counter& batches_4xx_;
  observe::Counter& batches_5xx_;
  observe::Counter& batches_error_;
  observe::Histogram& duration_;
  observe::Gauge& waiting_;
  observe::Gauge& waiting_bytes_;
  observe::Gauge& concurrency_limit_;
  observe::Gauge& in_flight_;
  observe::Gauge& rtt_;
  observe::LogRateLimiter rejected_lines_;
  DeliveryStatus status_;
  StatusBoard board_;
};

}  // namespace sluice::deliver
