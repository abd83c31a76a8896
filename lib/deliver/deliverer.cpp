#include "deliver/deliverer.hpp"

#include <algorithm>
#include <exception>

namespace sluice::deliver {
namespace {

using asio::redirect_error;
using asio::use_awaitable;
using SteadyClock = std::chrono::steady_clock;
using WallClock = std::chrono::system_clock;

}  // namespace

DeliveryOptions DeliveryOptions::from(const config::Settings& settings) {
  return DeliveryOptions{settings.buffer_max_events,
                         BatchLimits{settings.batch_max_events, settings.batch_max_bytes, settings.flush_interval},
                         RetryTiming{}};
}

Deliverer::Deliverer(asio::any_io_executor executor, DeliveryOptions options, Sink& sink,
                     observe::Metrics& metrics, observe::Logger& log, std::uint64_t seed)
    : executor_(executor),
      options_(options),
      sink_(sink),
      notes_(metrics, log),
      buffer_(options.buffer_max_events),
      batcher_(options.limits),
      policy_(options.retry),
      rng_(seed),
      wake_timer_(executor),
      retry_timer_(executor),
      deadline_timer_(executor),
      done_timer_(executor) {}

Deliverer::~Deliverer() = default;

void Deliverer::push(std::string event) {
  if (flushed_) {
    notes_.note_after_shutdown();
    return;
  }
  const bool was_empty = buffer_.empty();
  if (buffer_.push(std::move(event), SteadyClock::now())) notes_.note_overflow();
  notes_.note_waiting(waiting());
  // Wake the idle loop only when its plan changes: a first event arms the
  // flush interval, a full batch (or a flush) goes out at once.
  if (idle_waiting_ && (was_empty || flushing_ || batcher_.full(buffer_))) wake_timer_.cancel();
}

void Deliverer::start() {
  if (running_ || flushed_) return;
  running_ = true;
  asio::co_spawn(executor_, run(), [this](std::exception_ptr error) {
    if (!error) return;
    running_ = false;
    notes_.note_loop_failed(error);
  });
}

void Deliverer::stop() {
  stop_requested_ = true;
  sink_.cancel();
  wake_timer_.cancel();
  retry_timer_.cancel();
}

asio::awaitable<std::size_t> Deliverer::flush(std::chrono::milliseconds timeout) {
  if (flushed_) co_return shutdown_dropped_;
  flushing_ = true;
  if (!running_) {
    finish();
    co_return shutdown_dropped_;
  }
  deadline_ = SteadyClock::now() + timeout;
  deadline_timer_.expires_at(deadline_);
  deadline_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) on_deadline();
  });
  wake_timer_.cancel();
  while (running_) {
    boost::system::error_code ec;
    done_timer_.expires_at(asio::steady_timer::time_point::max());
    co_await done_timer_.async_wait(redirect_error(use_awaitable, ec));
  }
  co_return shutdown_dropped_;
}

bool Deliverer::ending() const {
  return stop_requested_ || deadline_passed_ || (flushing_ && SteadyClock::now() >= deadline_);
}

void Deliverer::on_deadline() {
  deadline_passed_ = true;
  sink_.cancel();
  retry_timer_.cancel();
  wake_timer_.cancel();
}

asio::awaitable<void> Deliverer::run() {
  while (!ending()) {
    if (pending_.empty()) {
      if (buffer_.empty() && flushing_) break;
      if (!flushing_ && !batcher_.due(buffer_, SteadyClock::now())) {
        co_await idle_wait();
        continue;
      }
      close_batch();
    }
    co_await attempt_front();
  }
  finish();
}

asio::awaitable<void> Deliverer::idle_wait() {
  wake_timer_.expires_at(buffer_.empty() ? asio::steady_timer::time_point::max() : batcher_.closes_at(buffer_));
  idle_waiting_ = true;
  boost::system::error_code ec;
  co_await wake_timer_.async_wait(redirect_error(use_awaitable, ec));
  idle_waiting_ = false;
}

void Deliverer::close_batch() {
  Batch batch = make_batch(buffer_.take_front(batcher_.next_batch_size(buffer_)), rng_);
  in_flight_events_ += batch.events.size();
  pending_.push_back(std::move(batch));
}

asio::awaitable<void> Deliverer::attempt_front() {
  const Batch& batch = pending_.front();  // only this loop changes pending_
  if (batch.events.size() == 1 && batch.body_bytes() > batcher_.limits().max_bytes) {
    notes_.note_oversized(batch.events.front(), batcher_.limits().max_bytes, SteadyClock::now());
    pop_front_batch();
    co_return;
  }
  const auto started = SteadyClock::now();
  const SendResult result = co_await sink_.send(batch);
  notes_.note_attempt(result, SteadyClock::now() - started);
  // A request cut by stop() or the shutdown deadline says nothing about the API.
  if (!result.answered() && ending()) co_return;
  const Step step = policy_.next(result, batch.events.size(), WallClock::now(), rng_);
  apply(step, result);
  if (step.delay.count() > 0) co_await pause(step.delay);
}

void Deliverer::apply(const Step& step, const SendResult& result) {
  const auto now = WallClock::now();
  switch (step.action) {
    case Action::delivered:
      notes_.note_delivered(pending_.front().events.size(), now);
      pop_front_batch();
      break;
    case Action::split: replace_front_with_halves(); break;
    case Action::drop_rejected:
      notes_.note_rejected(pending_.front().events.front(), result, SteadyClock::now());
      pop_front_batch();
      break;
    case Action::stop_sending: notes_.note_stopped(result, step.hint, step.delay, now); break;
    case Action::wait_retry_after: notes_.note_rate_limited(result, step.delay, now); break;
    case Action::backoff: notes_.note_backoff(result, step.delay, now); break;
  }
}

asio::awaitable<void> Deliverer::pause(std::chrono::milliseconds delay) {
  auto until = SteadyClock::now() + delay;
  if (flushing_) until = std::min(until, deadline_);
  retry_timer_.expires_at(until);
  boost::system::error_code ec;
  co_await retry_timer_.async_wait(redirect_error(use_awaitable, ec));
}

void Deliverer::replace_front_with_halves() {
  auto [first, second] = split_in_halves(std::move(pending_.front()), rng_);
  pending_.pop_front();
  pending_.push_front(std::move(second));
  pending_.push_front(std::move(first));
}

void Deliverer::pop_front_batch() {
  in_flight_events_ -= pending_.front().events.size();
  pending_.pop_front();
  notes_.note_waiting(waiting());
}

void Deliverer::finish() {
  running_ = false;
  if (flushing_) {
    shutdown_dropped_ = buffer_.clear() + in_flight_events_;
    pending_.clear();
    in_flight_events_ = 0;
    flushed_ = true;
    notes_.note_shutdown(shutdown_dropped_);
    notes_.note_waiting(0);
  }
  deadline_timer_.cancel();
  done_timer_.cancel();
}

}  // namespace sluice::deliver
