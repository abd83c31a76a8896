#pragma once
// Deliverer: the delivery loop. Events are pushed into a bounded buffer
// (never blocking the Redis side), closed into batches by the Batcher, sent
// one request at a time in buffer order through a Sink, and the RetryPolicy
// decides what happens next. Runs as a coroutine on the app's io_context;
// every member is called on that context's thread.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <random>
#include <string>

#include "common/asio.hpp"
#include "config/settings.hpp"
#include "deliver/batch.hpp"
#include "deliver/batcher.hpp"
#include "deliver/delivery_notes.hpp"
#include "deliver/event_buffer.hpp"
#include "deliver/retry_policy.hpp"
#include "deliver/sink.hpp"

namespace sluice::deliver {

struct DeliveryOptions {
  std::size_t buffer_max_events = 100'000;
  BatchLimits limits;
  RetryTiming retry;

  static DeliveryOptions from(const config::Settings& settings);
};

class Deliverer {
 public:
  Deliverer(asio::any_io_executor executor, DeliveryOptions options, Sink& sink, observe::Metrics& metrics,
            observe::Logger& log, std::uint64_t seed = std::random_device{}());
  Deliverer(const Deliverer&) = delete;
  Deliverer& operator=(const Deliverer&) = delete;
  ~Deliverer();

  // Hands one serialized event (compact JSON) to delivery: O(1), never
  // blocks. At the bound the oldest waiting event is dropped and counted.
  // After a flush has finished, events are counted as dropped (shutdown).
  void push(std::string event);

  // Spawns the loop on the executor.
  void start();

  // Graceful shutdown: sends what is buffered (batches close at once) for at
  // most `timeout`, then cancels what is in flight, counts every event left
  // as dropped{reason="shutdown"}, logs the number and ends the loop.
  // Returns the number dropped. Retry waits (Retry-After, backoff) are
  // honoured, so they may use up the timeout.
  asio::awaitable<std::size_t> flush(std::chrono::milliseconds timeout);

  // Ends the loop at once without counting anything (tests, fatal errors).
  void stop();

  bool running() const { return running_; }
  std::size_t waiting() const { return buffer_.size() + in_flight_events_; }
  const DeliveryStatus& status() const { return notes_.status(); }

 private:
  asio::awaitable<void> run();
  asio::awaitable<void> idle_wait();
  asio::awaitable<void> attempt_front();
  asio::awaitable<void> pause(std::chrono::milliseconds delay);
  void apply(const Step& step, const SendResult& result);
  void replace_front_with_halves();
  void pop_front_batch();
  void close_batch();
  void on_deadline();
  void finish();
  bool ending() const;

  asio::any_io_executor executor_;
  DeliveryOptions options_;
  Sink& sink_;
  DeliveryNotes notes_;
  EventBuffer buffer_;
  Batcher batcher_;
  RetryPolicy policy_;
  std::mt19937_64 rng_;
  std::deque<Batch> pending_;  // taken from the buffer, in order; splits go to the front
  std::size_t in_flight_events_ = 0;
  asio::steady_timer wake_timer_;      // idle: waits for events or the flush interval
  asio::steady_timer retry_timer_;     // between attempts
  asio::steady_timer deadline_timer_;  // shutdown deadline
  asio::steady_timer done_timer_;      // wakes flush() when the loop has ended
  std::chrono::steady_clock::time_point deadline_{};
  bool idle_waiting_ = false;
  bool running_ = false;
  bool flushing_ = false;
  bool flushed_ = false;
  bool deadline_passed_ = false;
  bool stop_requested_ = false;
  std::size_t shutdown_dropped_ = 0;
};

}  // namespace sluice::deliver
