#include "app/delivery_thread.hpp"

#include <algorithm>
#include <utility>

namespace sluice::app {

DeliveryThread::DeliveryThread(asio::io_context& delivery_io, asio::any_io_executor main,
                               deliver::DeliveryOptions options, deliver::Sink& sink, observe::Metrics& metrics,
                               observe::Logger& log, std::uint64_t seed, std::string connection_id,
                               std::optional<deliver::spool::SpoolOptions> spool)
    : io_(delivery_io),
      deliverer_(delivery_io.get_executor(), options, sink, metrics, log, seed),
      connection_id_(std::move(connection_id)),
      hand_over_timer_(std::move(main)),
      work_(asio::make_work_guard(delivery_io)) {
  if (!spool) {
    log.log(observe::Level::info,
            "no spool directory set (SLUICE_SPOOL_DIR): undelivered events are kept in memory only, and a "
            "restart or crash loses them");
    return;
  }
  spool_notes_.emplace(metrics, log);
  spool_.emplace(*spool);
  spool_notes_->note_recovery(spool_->recovery(), spool->dir);
  using deliver::spool::SpoolFeed;
  feed_.emplace(delivery_io.get_executor(), *spool_, deliverer_, *spool_notes_,
                std::min(options.buffer_max_events, SpoolFeed::kMemoryEvents),
                std::min(options.buffer_max_bytes, SpoolFeed::kMemoryBytes), spool->sync_interval);
}

std::optional<deliver::spool::SpoolStatus> DeliveryThread::spool_status() const {
  if (!spool_notes_) return std::nullopt;
  return spool_notes_->status();
}

DeliveryThread::~DeliveryThread() {
  if (thread_.joinable()) {
    // After a flush the loop has already ended. Otherwise end it and let its
    // coroutine unwind over there before the Deliverer goes away.
    ask([this] { deliverer_.stop(); });
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (ask([this] { return deliverer_.running(); }) && std::chrono::steady_clock::now() < give_up)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  work_.reset();
  io_.stop();
  if (thread_.joinable()) thread_.join();
}

void DeliveryThread::start() {
  asio::post(io_, [this] {
    deliverer_.start();
    if (feed_) feed_->start();
  });
  thread_ = std::thread([this] { io_.run(); });
}

void DeliveryThread::push(const track::IngestEvent& event) {
  deliver::encode_event(outbox_, event, {connection_id_});
  collected();
}

void DeliveryThread::push(std::string_view json, deliver::EventKind kind, deliver::EventKey key) {
  outbox_.append(json, kind, key);
  collected();
}

void DeliveryThread::collected() {
  if (outbox_.size() >= kHandOverEvents) return hand_over();
  if (outbox_.size() == 1) {
    hand_over_timer_.expires_after(kHandOverDelay);
    hand_over_timer_.async_wait([this](const boost::system::error_code& error) {
      if (!error) hand_over();
    });
  }
}

void DeliveryThread::hand_over() {
  if (outbox_.empty()) return;
  std::lock_guard lock(inbox_mutex_);
  if (inbox_.empty()) {
    inbox_.swap(outbox_);
  } else {
    inbox_.append(outbox_);
    outbox_.clear();
  }
  if (!drain_posted_) {
    drain_posted_ = true;
    asio::post(io_, [this] { drain_inbox(); });
  }
}

void DeliveryThread::drain_inbox() {
  {
    std::lock_guard lock(inbox_mutex_);
    draining_.swap(inbox_);
    drain_posted_ = false;
  }
  if (feed_) {
    feed_->accept(draining_);
  } else {
    deliverer_.push(draining_);
  }
  draining_.clear();
}

asio::awaitable<std::size_t> DeliveryThread::flush(std::chrono::milliseconds timeout) {
  hand_over();  // what the pipeline produced last goes first
  // co_spawn resumes this coroutine through its own (main) executor.
  co_return co_await asio::co_spawn(
      io_,
      [this, timeout]() -> asio::awaitable<std::size_t> {
        drain_inbox();
        if (feed_) feed_->before_flush();
        std::size_t dropped = co_await deliverer_.flush(timeout);
        if (feed_) dropped += feed_->after_flush();
        co_return dropped;
      },
      asio::use_awaitable);
}

}  // namespace sluice::app
