#pragma once
// Deliverer: the delivery loop. Encoded events are pushed into lanes
// (never blocking the Redis side), closed into batches by the Batcher and
// sent through a Sink, several requests at a time; the RetryPolicy decides
// what happens after each answer. Runs on one io_context; every member is
// called on that context's thread.
//
// Order: the events of one job, worker or queue (one EventKey) must reach
// the API in the order they were tracked, retries included. A key stays on
// the lane that holds its earlier events, and a lane has at most one
// request in flight, so keys are ordered while lanes run side by side. A
// key with nothing held goes to the "fill lane", which takes new keys until
// it holds a full batch; then the least loaded lane becomes the fill lane.
// At low rates one lane therefore receives everything, and delivery sends
// one request at a time with batches as full as the flush interval allows.
//
// Halts are account-wide: a 429 (Retry-After) or a 401/403/404 stops every
// lane; 5xx and transport failures back off per lane. How many requests may
// be in flight is the ConcurrencyLimit's (adaptive by default).
//
// A 429 with a long Retry-After says the day's quota is spent. Such a halt
// ends with supersession (supersession.hpp): the waiting events, and the
// batches the API refused, are reduced to what still matters and ranked;
// until every ranked event is out, a lane starts a request only when what
// it would send is of the most important rank still held anywhere, so job
// states reach the API before worker and queue refreshes. The same runs
// when the buffer fills during such a halt, before anything is dropped.
//
// The backlog is bounded by events and by bytes: at either bound the oldest
// waiting event is dropped and counted.

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "common/asio.hpp"
#include "config/settings.hpp"
#include "deliver/batch.hpp"
#include "deliver/batcher.hpp"
#include "deliver/concurrency_limit.hpp"
#include "deliver/delivery_notes.hpp"
#include "deliver/encoded_events.hpp"
#include "deliver/retry_policy.hpp"
#include "deliver/sink.hpp"
#include "deliver/supersession.hpp"

namespace sluice::deliver {

struct DeliveryOptions {
  std::size_t buffer_max_events = 100'000;
  std::size_t buffer_max_bytes = 64 * 1024 * 1024;
  BatchLimits limits;
  RetryTiming retry;
  ConcurrencyOptions concurrency;
  // A 429 whose Retry-After is at least this long is a spent quota, not a
  // rate (per-second limits answer with a second or two): its halt ends
  // with supersession.
  std::chrono::milliseconds quota_halt{std::chrono::seconds(10)};

  static DeliveryOptions from(const config::Settings& settings);
};

// Told about every spooled event (tag != 0) delivery is done with: sent,
// rejected or dropped. Called on the delivery loop's thread.
class SettleListener {
 public:
  virtual ~SettleListener() = default;
  virtual void settled(std::uint16_t tag, std::size_t events) = 0;
};

class Deliverer {
 public:
  using Clock = std::chrono::steady_clock;

  Deliverer(asio::any_io_executor executor, DeliveryOptions options, Sink& sink, observe::Metrics& metrics,
            observe::Logger& log, std::uint64_t seed = std::random_device{}());
  Deliverer(const Deliverer&) = delete;
  Deliverer& operator=(const Deliverer&) = delete;
  ~Deliverer();

  // Hands encoded events to delivery: never blocks. At a bound the oldest
  // waiting events are dropped and counted. After a flush has finished,
  // events are counted as dropped (shutdown).
  void push(const EncodedEvents& events) { push(events, 0, events.size()); }
  void push(const EncodedEvents& events, std::size_t first, std::size_t count);
  void push(std::string_view json, EventKind kind, EventKey key);

  void start();

  // With a spool: events are reported settled, and what a flush cannot send
  // stays spooled instead of being counted as dropped.
  void set_settle_listener(SettleListener* listener) { settle_listener_ = listener; }

  // Graceful shutdown: sends what is buffered (batches close at once) for at
  // most `timeout`, then cancels what is in flight, counts every event left
  // as dropped{reason="shutdown"}, logs the number and ends the loop.
  // Returns the number dropped. Retry waits (Retry-After, backoff) are
  // honoured, so they may use up the timeout.
  asio::awaitable<std::size_t> flush(std::chrono::milliseconds timeout);

  // Ends the loop without counting anything (tests, fatal errors); running()
  // turns false once the requests in flight have unwound.
  void stop();

  bool running() const { return running_; }
  bool accepting() const { return !flushed_; }  // push() after the final flush only counts drops
  std::size_t waiting() const { return held_events_; }  // buffered + in flight
  std::size_t waiting_bytes() const { return held_bytes_; }
  std::size_t in_flight() const { return in_flight_; }
  std::size_t concurrency_limit() const { return limiter_.limit(); }
  DeliveryStatus status() const { return notes_.board().read(); }
  const StatusBoard& status_board() const { return notes_.board(); }

 private:
  // Ranks are Priority values while a supersession's events are out;
  // kUnranked is everything else.
  static constexpr std::uint8_t kUnranked = kPriorities;
  struct Pending {
    Batch batch;
    std::uint64_t first_seq;  // lane sequence number of its first event
    Clock::time_point arrived;  // of its first event
    std::uint8_t rank = kUnranked;
    // Never sent, or refused whole (429, 413, 401…): its events may go back
    // among the waiting ones. After an answer that leaves open whether the
    // API took it (5xx, timeout), its Idempotency-Key must be reused.
    bool reformable = true;
  };
  // A lane's buffer empties into a batch at every send: it keeps little.
  static constexpr std::size_t kLaneKeptBytes = 16 * 1024;
  struct Lane {
    explicit Lane(const RetryTiming& timing) : policy(timing) {}
    EncodedEvents waiting{kLaneKeptBytes};  // not yet in a batch, in order
    std::deque<Pending> pending;  // taken from waiting, in order; splits go to the front
    RetryPolicy policy;           // this lane's backoff
    Clock::time_point retry_at{};
    std::uint64_t appended = 0;   // events ever queued here: the next sequence number
    bool busy = false;            // an attempt (request) is running
    // The ranked events at the front of `waiting`, by rank (they are in
    // rank order there, unranked events behind them).
    std::array<std::size_t, kPriorities> ranked{};
  };
  struct Slot {  // where a key's held events are (keys sharing a slot share a lane)
    std::uint32_t lane = 0;
    std::uint64_t seq = 0;  // sequence number of its last event there
    bool used = false;
  };

  void push_one(const EncodedEvents& events, std::size_t i, Clock::time_point now);
  std::size_t place(const EncodedEvents& events, std::size_t i, Clock::time_point arrived);
  std::size_t lane_for(EventKey key);
  void supersede(Room room);
  EncodedEvents take_reformable_events();
  std::uint8_t front_rank(const Lane& lane) const;
  std::uint8_t next_rank(const Lane& lane) const;
  std::uint8_t rank_floor();
  std::uint64_t first_held_seq(const Lane& lane) const;
  void enforce_bounds();
  void dispatch();
  bool ready(const Lane& lane, Clock::time_point now) const;
  void start_attempt(std::size_t lane);
  asio::awaitable<void> attempt(std::size_t lane);
  void apply(Lane& lane, const Step& step, const SendResult& result);
  void replace_front_with_halves(Lane& lane);
  void pop_pending(Lane& lane);
  void settle(const Batch& batch);
  std::size_t count_unspooled() const;
  void arm_wake(Clock::time_point at);
  void on_deadline();
  void finish();
  bool ending() const;
  void note_waiting();

  asio::any_io_executor executor_;
  DeliveryOptions options_;
  Sink& sink_;
  DeliveryNotes notes_;
  Batcher batcher_;
  ConcurrencyLimit limiter_;
  std::mt19937_64 rng_;
  std::vector<Lane> lanes_;
  std::vector<Slot> slots_;
  std::size_t fill_lane_ = 0;
  std::size_t in_flight_ = 0;
  std::size_t held_events_ = 0;  // waiting + pending, all lanes
  std::size_t held_bytes_ = 0;   // waiting bytes + pending bodies
  Clock::time_point halt_until_{};  // account-wide: 429 or refused configuration
  bool quota_halt_ = false;  // the halt is a spent quota: supersede when it ends
  bool ranking_ = false;     // ranked events are held
  asio::steady_timer wake_timer_;   // flush intervals, backoffs, halts
  Clock::time_point wake_at_ = Clock::time_point::max();
  asio::steady_timer deadline_timer_;  // shutdown deadline
  asio::steady_timer done_timer_;      // wakes flush() when the loop has ended
  Clock::time_point deadline_{};
  bool running_ = false;
  bool flushing_ = false;
  bool flushed_ = false;
  bool deadline_passed_ = false;
  bool stop_requested_ = false;
  std::size_t shutdown_dropped_ = 0;
  SettleListener* settle_listener_ = nullptr;
};

}  // namespace sluice::deliver
