#include "deliver/deliverer.hpp"

#include <algorithm>
#include <exception>
#include <limits>

namespace sluice::deliver {
namespace {

using asio::redirect_error;
using asio::use_awaitable;
using WallClock = std::chrono::system_clock;

// Keys are tracked in a fixed table (no allocation per key); keys sharing a
// slot share a lane while either has events held, which only orders more.
constexpr std::size_t kSlots = 1 << 15;

// A 429, a 5xx, a timeout or no answer at all: the API (or the way to it) is
// overloaded, and the concurrency limit should come down.
Pressure pressure_of(const SendResult& result) {
  if (!result.answered() || result.status == 429 || result.status / 100 == 5) return Pressure::backpressure;
  return Pressure::none;
}

}  // namespace

DeliveryOptions DeliveryOptions::from(const config::Settings& settings) {
  DeliveryOptions options;
  options.buffer_max_events = settings.buffer_max_events;
  options.buffer_max_bytes = settings.buffer_max_bytes;
  options.limits = BatchLimits{settings.batch_max_events, settings.batch_max_bytes, settings.flush_interval};
  options.concurrency = ConcurrencyOptions{settings.delivery_concurrency == 0, settings.delivery_concurrency == 0
                                                                                   ? settings.delivery_concurrency_max
                                                                                   : settings.delivery_concurrency};
  return options;
}

Deliverer::Deliverer(asio::any_io_executor executor, DeliveryOptions options, Sink& sink,
                     observe::Metrics& metrics, observe::Logger& log, std::uint64_t seed)
    : executor_(executor),
      options_(options),
      sink_(sink),
      notes_(metrics, log),
      batcher_(options.limits),
      limiter_(options.concurrency),
      rng_(seed),
      slots_(kSlots),
      wake_timer_(executor),
      deadline_timer_(executor),
      done_timer_(executor) {
  options_.buffer_max_events = std::max<std::size_t>(options_.buffer_max_events, 1);
  lanes_.reserve(limiter_.max());
  for (std::size_t i = 0; i < limiter_.max(); ++i) lanes_.emplace_back(options_.retry);
  notes_.note_concurrency(limiter_.limit(), 0, 0);
}

Deliverer::~Deliverer() = default;

void Deliverer::push(std::string_view json, EventKind kind, EventKey key) {
  EncodedEvents one;
  one.append(json, kind, key);
  push(one);
}

void Deliverer::push(const EncodedEvents& events, std::size_t first, std::size_t count) {
  if (flushed_) {
    for (std::size_t i = 0; i < count; ++i) notes_.note_after_shutdown();
    return;
  }
  const auto now = Clock::now();
  for (std::size_t i = first; i < first + count; ++i) push_one(events, i, now);
  note_waiting();
  dispatch();
}

void Deliverer::push_one(const EncodedEvents& events, std::size_t i, Clock::time_point now) {
  place(events, i, now);
  enforce_bounds();
}

// Queues one event on its key's lane; returns the lane.
std::size_t Deliverer::place(const EncodedEvents& events, std::size_t i, Clock::time_point arrived) {
  const EventKey key = events.key(i);
  const std::size_t index = lane_for(key);
  Lane& lane = lanes_[index];
  const std::size_t before = lane.waiting.bytes();
  lane.waiting.append_event(events, i, arrived);
  held_bytes_ += lane.waiting.bytes() - before;
  ++held_events_;
  slots_[key % kSlots] = Slot{static_cast<std::uint32_t>(index), lane.appended, true};
  ++lane.appended;
  return index;
}

std::uint64_t Deliverer::first_held_seq(const Lane& lane) const {
  if (!lane.pending.empty()) return lane.pending.front().first_seq;
  return lane.appended - lane.waiting.size();
}

std::size_t Deliverer::lane_for(EventKey key) {
  const Slot& slot = slots_[key % kSlots];
  if (slot.used && slot.seq >= first_held_seq(lanes_[slot.lane])) return slot.lane;
  if (batcher_.full(lanes_[fill_lane_].waiting)) {
    // The least loaded lane takes new keys next; an idle one before a busy one.
    std::size_t best = fill_lane_;
    std::size_t best_load = std::numeric_limits<std::size_t>::max();
    for (std::size_t i = 0; i < lanes_.size(); ++i) {
      const std::size_t load = lanes_[i].waiting.size() + (lanes_[i].busy ? batcher_.limits().max_events : 0);
      if (load < best_load) {
        best = i;
        best_load = load;
      }
    }
    fill_lane_ = best;
  }
  return fill_lane_;
}

// Drops the oldest waiting events (never a batch already sent or due for a
// retry: it keeps its Idempotency-Key and its place) until both bounds hold.
// During a quota halt, supersession goes first and makes room down to 90 %
// (so that it does not run again at the next event), dropping the least
// important events if it must.
void Deliverer::enforce_bounds() {
  const auto over = [this] {
    return held_events_ > options_.buffer_max_events || held_bytes_ > options_.buffer_max_bytes;
  };
  if (quota_halt_ && over()) {
    supersede(Room{options_.buffer_max_events - options_.buffer_max_events / 10,
                   options_.buffer_max_bytes - options_.buffer_max_bytes / 10});
  }
  while (over()) {
    Lane* oldest = nullptr;
    for (auto& lane : lanes_) {
      if (!lane.waiting.empty() && (!oldest || lane.waiting.arrived(0) < oldest->waiting.arrived(0))) oldest = &lane;
    }
    if (!oldest) return;
    const std::size_t before = oldest->waiting.bytes();
    if (settle_listener_ && oldest->waiting.tag(0) != 0) settle_listener_->settled(oldest->waiting.tag(0), 1);
    if (const auto rank = front_rank(*oldest); rank != kUnranked) --oldest->ranked[rank];
    oldest->waiting.pop_front();
    held_bytes_ -= before - oldest->waiting.bytes();
    --held_events_;
    notes_.note_overflow();
  }
}

void Deliverer::start() {
  if (running_ || flushed_) return;
  running_ = true;
  dispatch();
}

void Deliverer::stop() {
  stop_requested_ = true;
  sink_.cancel();
  wake_timer_.cancel();
  dispatch();
}

asio::awaitable<std::size_t> Deliverer::flush(std::chrono::milliseconds timeout) {
  if (flushed_) co_return shutdown_dropped_;
  flushing_ = true;
  if (!running_) {
    finish();
    co_return shutdown_dropped_;
  }
  deadline_ = Clock::now() + timeout;
  deadline_timer_.expires_at(deadline_);
  deadline_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) on_deadline();
  });
  dispatch();
  while (running_) {
    boost::system::error_code ec;
    done_timer_.expires_at(asio::steady_timer::time_point::max());
    co_await done_timer_.async_wait(redirect_error(use_awaitable, ec));
  }
  co_return shutdown_dropped_;
}

bool Deliverer::ending() const {
  return stop_requested_ || deadline_passed_ || (flushing_ && Clock::now() >= deadline_);
}

void Deliverer::on_deadline() {
  deadline_passed_ = true;
  sink_.cancel();
  dispatch();
}

bool Deliverer::ready(const Lane& lane, Clock::time_point now) const {
  if (lane.busy || lane.retry_at > now) return false;
  if (!lane.pending.empty()) return true;
  return !lane.waiting.empty() && (flushing_ || batcher_.due(lane.waiting, now));
}

// Starts what may start now (up to the concurrency limit, oldest first) and
// arms the timer for the next moment something becomes due.
void Deliverer::dispatch() {
  if (!running_) return;
  if (ending()) {
    if (in_flight_ == 0) finish();
    return;
  }
  if (flushing_ && held_events_ == 0 && in_flight_ == 0) return finish();
  auto now = Clock::now();
  if (now < halt_until_) return arm_wake(halt_until_);
  if (quota_halt_) {
    quota_halt_ = false;
    supersede(Room{options_.buffer_max_events, options_.buffer_max_bytes});
  }
  for (;;) {
    const std::uint8_t floor = ranking_ ? rank_floor() : kUnranked;
    std::size_t best = lanes_.size();
    Clock::time_point best_at = Clock::time_point::max();
    for (std::size_t i = 0; i < lanes_.size(); ++i) {
      const Lane& lane = lanes_[i];
      if (!ready(lane, now)) continue;
      if (ranking_ && next_rank(lane) != floor) continue;
      // Retries and split halves first, then the lane with the oldest event.
      const auto at = lane.pending.empty() ? lane.waiting.arrived(0) : Clock::time_point::min();
      if (at < best_at || best == lanes_.size()) {
        best = i;
        best_at = at;
      }
    }
    if (best == lanes_.size()) break;
    if (in_flight_ >= limiter_.limit()) {
      limiter_.on_blocked();
      break;
    }
    start_attempt(best);
    if (!running_) return;
    now = Clock::now();
  }
  if (flushing_ && held_events_ == 0 && in_flight_ == 0) return finish();
  // What is due already waits for a request to end; the timer is for what
  // becomes due later.
  Clock::time_point next = Clock::time_point::max();
  for (const Lane& lane : lanes_) {
    if (lane.busy) continue;
    Clock::time_point at = Clock::time_point::max();
    if (!lane.pending.empty()) at = lane.retry_at;
    else if (!lane.waiting.empty() && !flushing_) at = batcher_.closes_at(lane.waiting);
    if (at > now) next = std::min(next, at);
  }
  if (next != Clock::time_point::max()) arm_wake(next);
}

void Deliverer::arm_wake(Clock::time_point at) {
  if (flushing_) at = std::min(at, deadline_);
  if (at >= wake_at_) return;
  wake_at_ = at;
  wake_timer_.expires_at(at);
  wake_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    wake_at_ = Clock::time_point::max();
    dispatch();
  });
}

void Deliverer::start_attempt(std::size_t index) {
  Lane& lane = lanes_[index];
  if (lane.pending.empty()) {
    std::size_t count = batcher_.next_batch_size(lane.waiting);
    const std::size_t before = lane.waiting.bytes();
    const std::uint64_t first_seq = lane.appended - lane.waiting.size();
    // A batch holds one rank: a less important rank waits for the others.
    const std::uint8_t rank = front_rank(lane);
    if (rank != kUnranked) {
      count = std::min(count, lane.ranked[rank]);
      lane.ranked[rank] -= count;
    }
    lane.pending.push_back(Pending{Batch(lane.waiting, 0, count, rng_), first_seq, lane.waiting.arrived(0), rank, true});
    lane.waiting.pop_front(count);
    held_bytes_ = held_bytes_ - (before - lane.waiting.bytes()) + lane.pending.back().batch.body_bytes();
  }
  const Batch& batch = lane.pending.front().batch;
  if (batch.size() == 1 && batch.body_bytes() > batcher_.limits().max_bytes) {
    notes_.note_oversized(batch.kind(0), batch.event(0).size(), batcher_.limits().max_bytes, Clock::now());
    pop_pending(lane);
    return;
  }
  lane.busy = true;
  ++in_flight_;
  notes_.note_concurrency(limiter_.limit(), in_flight_, limiter_.smoothed_rtt().count());
  asio::co_spawn(executor_, attempt(index), [this](std::exception_ptr error) {
    if (!error) return;
    running_ = false;
    notes_.note_loop_failed(error);
  });
}

asio::awaitable<void> Deliverer::attempt(std::size_t index) {
  Lane& lane = lanes_[index];
  const auto started = Clock::now();
  // Only this attempt touches its lane's pending batches while it runs.
  const SendResult result = co_await sink_.send(lane.pending.front().batch);
  const auto now = Clock::now();
  --in_flight_;
  lane.busy = false;
  notes_.note_attempt(result, now - started);
  // A request cut by stop() or the shutdown deadline says nothing about the API.
  if (result.answered() || !ending()) {
    limiter_.on_result(now - started, pressure_of(result), now);
    const Step step = lane.policy.next(result, lane.pending.front().batch.size(), WallClock::now(), rng_);
    apply(lane, step, result);
  }
  notes_.note_concurrency(limiter_.limit(), in_flight_, limiter_.smoothed_rtt().count());
  dispatch();
}

void Deliverer::apply(Lane& lane, const Step& step, const SendResult& result) {
  const auto wall = WallClock::now();
  const auto now = Clock::now();
  switch (step.action) {
    case Action::delivered:
      notes_.note_delivered(lane.pending.front().batch.size(), wall);
      pop_pending(lane);
      break;
    case Action::split: replace_front_with_halves(lane); break;
    case Action::drop_rejected:
      notes_.note_rejected(lane.pending.front().batch.kind(0), result, now);
      pop_pending(lane);
      break;
    case Action::stop_sending:
      notes_.note_stopped(result, step.hint, step.delay, wall);
      halt_until_ = std::max(halt_until_, now + step.delay);
      break;
    case Action::wait_retry_after:
      notes_.note_rate_limited(result, step.delay, wall);
      halt_until_ = std::max(halt_until_, now + step.delay);
      if (step.delay >= options_.quota_halt) quota_halt_ = true;
      break;
    case Action::backoff:
      notes_.note_backoff(result, step.delay, wall);
      lane.retry_at = now + step.delay;
      lane.pending.front().reformable = false;
      break;
  }
}

void Deliverer::replace_front_with_halves(Lane& lane) {
  Pending whole = std::move(lane.pending.front());
  lane.pending.pop_front();
  auto [first, second] = whole.batch.halves(rng_);
  const std::uint64_t second_seq = whole.first_seq + first.size();
  held_bytes_ = held_bytes_ - whole.batch.body_bytes() + first.body_bytes() + second.body_bytes();
  lane.pending.push_front(Pending{std::move(second), second_seq, whole.arrived, whole.rank, true});
  lane.pending.push_front(Pending{std::move(first), whole.first_seq, whole.arrived, whole.rank, true});
}

// Takes every waiting event, and the batches of idle lanes that may be
// re-formed, out of the lanes, has them superseded and ranked, and queues
// what is left again in its new order. Batches that stay (in flight, or
// owed a retry under their Idempotency-Key) are ranked first: events of
// their keys queue behind them.
void Deliverer::supersede(Room room) {
  const EncodedEvents gathered = take_reformable_events();
  Prioritized kept = prioritize(gathered, room);
  for (const std::uint16_t tag : kept.released_tags) {
    if (settle_listener_) settle_listener_->settled(tag, 1);
  }
  for (auto& lane : lanes_) {
    for (auto& pending : lane.pending) pending.rank = 0;
  }
  for (std::size_t i = 0; i < kept.events.size(); ++i) {
    const std::size_t lane = place(kept.events, i, kept.events.arrived(i));
    ++lanes_[lane].ranked[static_cast<std::size_t>(kept.priorities[i])];
  }
  ranking_ = true;
  notes_.note_superseded(kept.superseded, kept.overflow, gathered.size(), kept.events.size());
  note_waiting();
}

// Every waiting event, and the events of re-formable batches of idle lanes,
// taken out of the lanes in arrival order. A key's events stay in their
// order: a key is on one lane, where its arrival times only grow (a batch's
// events are dated by its first, the earliest of its rank).
EncodedEvents Deliverer::take_reformable_events() {
  struct Ref {
    Clock::time_point arrived;
    std::size_t lane;
    std::size_t index;
  };
  std::vector<EncodedEvents> taken;
  taken.reserve(lanes_.size());
  std::vector<Ref> refs;
  for (std::size_t l = 0; l < lanes_.size(); ++l) {
    Lane& lane = lanes_[l];
    EncodedEvents& mine = taken.emplace_back(0);
    const bool reformable = !lane.busy && std::all_of(lane.pending.begin(), lane.pending.end(),
                                                       [](const Pending& p) { return p.reformable; });
    if (reformable) {
      for (const auto& pending : lane.pending) {
        const Batch& batch = pending.batch;
        for (std::size_t i = 0; i < batch.size(); ++i) {
          mine.append(batch.event(i), batch.kind(i), batch.key(i), pending.arrived, batch.tag(i));
        }
        held_events_ -= batch.size();
        held_bytes_ -= batch.body_bytes();
      }
      lane.pending.clear();
    }
    held_events_ -= lane.waiting.size();
    held_bytes_ -= lane.waiting.bytes();
    mine.append(lane.waiting);
    lane.waiting.clear();
    lane.ranked = {};
    for (std::size_t i = 0; i < mine.size(); ++i) refs.push_back(Ref{mine.arrived(i), l, i});
  }
  std::stable_sort(refs.begin(), refs.end(), [](const Ref& a, const Ref& b) { return a.arrived < b.arrived; });
  EncodedEvents all(0);
  for (const Ref& ref : refs) all.append_event(taken[ref.lane], ref.index, ref.arrived);
  return all;
}

std::uint8_t Deliverer::front_rank(const Lane& lane) const {
  for (std::size_t rank = 0; rank < kPriorities; ++rank) {
    if (lane.ranked[rank] > 0) return static_cast<std::uint8_t>(rank);
  }
  return kUnranked;
}

// The rank of what the lane sends next (in flight included).
std::uint8_t Deliverer::next_rank(const Lane& lane) const {
  return lane.pending.empty() ? front_rank(lane) : lane.pending.front().rank;
}

// The most important rank held anywhere; ranking ends when none is left.
std::uint8_t Deliverer::rank_floor() {
  std::uint8_t floor = kUnranked;
  for (const Lane& lane : lanes_) floor = std::min(floor, next_rank(lane));
  if (floor == kUnranked) ranking_ = false;
  return floor;
}

void Deliverer::settle(const Batch& batch) {
  if (!settle_listener_) return;
  std::size_t run = 0;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    ++run;
    const bool run_ends = i + 1 == batch.size() || batch.tag(i + 1) != batch.tag(i);
    if (!run_ends) continue;
    if (batch.tag(i) != 0) settle_listener_->settled(batch.tag(i), run);
    run = 0;
  }
}

// Held events that are not spooled: lost when the process ends.
std::size_t Deliverer::count_unspooled() const {
  std::size_t count = 0;
  for (const auto& lane : lanes_) {
    for (std::size_t i = 0; i < lane.waiting.size(); ++i) count += lane.waiting.tag(i) == 0;
    for (const auto& pending : lane.pending) {
      for (std::size_t i = 0; i < pending.batch.size(); ++i) count += pending.batch.tag(i) == 0;
    }
  }
  return count;
}

void Deliverer::pop_pending(Lane& lane) {
  settle(lane.pending.front().batch);
  held_events_ -= lane.pending.front().batch.size();
  held_bytes_ -= lane.pending.front().batch.body_bytes();
  lane.pending.pop_front();
  note_waiting();
}

void Deliverer::note_waiting() { notes_.note_waiting(held_events_, held_bytes_); }

void Deliverer::finish() {
  running_ = false;
  if (flushing_) {
    // Spooled events stay on disk for the next start; only the others are lost.
    shutdown_dropped_ = settle_listener_ ? count_unspooled() : held_events_;
    const std::size_t kept = held_events_ - shutdown_dropped_;
    for (auto& lane : lanes_) {
      lane.waiting.clear();
      lane.pending.clear();
    }
    held_events_ = 0;
    held_bytes_ = 0;
    flushed_ = true;
    notes_.note_shutdown(shutdown_dropped_, kept);
    note_waiting();
  }
  wake_timer_.cancel();
  deadline_timer_.cancel();
  done_timer_.cancel();
}

}  // namespace sluice::deliver
