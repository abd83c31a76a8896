#include "deliver/spool/spool_feed.hpp"

#include <algorithm>
#include <utility>

namespace sluice::deliver::spool {

SpoolFeed::SpoolFeed(asio::any_io_executor executor, Spool& spool, Deliverer& deliverer, SpoolNotes& notes,
                     std::size_t memory_events, std::size_t memory_bytes, std::chrono::milliseconds sync_interval)
    : spool_(spool),
      deliverer_(deliverer),
      notes_(notes),
      memory_events_(std::max<std::size_t>(memory_events, 1)),
      memory_bytes_(memory_bytes),
      sync_interval_(sync_interval),
      tick_timer_(executor),
      executor_(executor) {
  deliverer_.set_settle_listener(this);
}

void SpoolFeed::start() {
  notes_.note_state(spool_, 0);
  refill();
  arm_tick();
}

bool SpoolFeed::fits(std::size_t events, std::size_t bytes) const {
  return deliverer_.waiting() + events <= memory_events_ && deliverer_.waiting_bytes() + bytes <= memory_bytes_;
}

void SpoolFeed::accept(EncodedEvents& group) {
  if (group.empty()) return;
  if (!tail_.empty() && !spool_.degraded()) move_tail_to_spool();
  const bool direct = !spool_.has_unread() && reading_.empty() && tail_.empty() && fits(group.size(), group.bytes());
  const std::size_t written = spool_.degraded() ? 0 : spool_.append(group, direct);
  if (direct) {
    deliverer_.push(group);  // events the disk did not take are untagged: memory only
    return;
  }
  if (written < group.size()) keep_in_tail(group, written);
  refill();
}

// Events the disk could not take wait behind everything older, bounded
// like the Deliverer's buffer: at the bound the oldest are dropped.
void SpoolFeed::keep_in_tail(const EncodedEvents& group, std::size_t first) {
  for (std::size_t i = first; i < group.size(); ++i) tail_.append_event(group, i, {});
  while (tail_.size() > memory_events_ || tail_.bytes() > memory_bytes_) {
    tail_.pop_front();
    ++tail_dropped_;
  }
}

void SpoolFeed::move_tail_to_spool() {
  const std::size_t written = spool_.append(tail_, false);
  tail_.pop_front(written);
}

// Moves what waits (read back from disk, then the memory tail) into the
// Deliverer while it has room, oldest first.
void SpoolFeed::refill() {
  // Once the final flush has ended, what is left stays on disk.
  if (closed_ || !deliverer_.accepting()) return;
  for (;;) {
    const std::size_t held = deliverer_.waiting();
    const std::size_t room = held < memory_events_ ? memory_events_ - held : 0;
    if (room == 0) return;
    if (reading_.empty()) {
      if (spool_.has_unread()) {
        if (spool_.read(reading_, std::min(room, Spool::kRecordEvents)) == 0 && reading_.empty()) {
          if (spool_.has_unread()) return;  // nothing readable now
          continue;
        }
      } else if (!tail_.empty()) {
        reading_.swap(tail_);
      } else {
        return;
      }
    }
    // As many as fit, at least one when delivery holds nothing (an event
    // larger than the byte window must not wait forever).
    const std::size_t held_bytes = deliverer_.waiting_bytes();
    std::size_t count = 0;
    std::size_t bytes = 0;
    while (count < reading_.size() && count < room) {
      bytes += reading_.event(count).size() + 1;
      if (held_bytes + bytes > memory_bytes_ && !(count == 0 && held == 0)) break;
      ++count;
    }
    if (count == 0) return;
    deliverer_.push(reading_, 0, count);
    reading_.pop_front(count);
  }
}

void SpoolFeed::settled(std::uint16_t tag, std::size_t events) {
  spool_.settle(tag, events);
  if (spool_.has_unread() || !reading_.empty() || !tail_.empty()) schedule_refill();
}

// Settlements arrive from inside the Deliverer's request handling: the
// refill runs after it, once however many batches settled.
void SpoolFeed::schedule_refill() {
  if (refill_posted_) return;
  refill_posted_ = true;
  asio::post(executor_, [this] {
    refill_posted_ = false;
    refill();
  });
}

void SpoolFeed::arm_tick() {
  tick_timer_.expires_after(sync_interval_);
  tick_timer_.async_wait([this](const boost::system::error_code& error) {
    if (!error && !closed_) tick();
  });
}

void SpoolFeed::tick() {
  spool_.tick();
  if (!tail_.empty() && !spool_.degraded()) move_tail_to_spool();
  notes_.note_state(spool_, std::exchange(tail_dropped_, 0));
  refill();
  arm_tick();
}

void SpoolFeed::before_flush() { refill(); }

std::size_t SpoolFeed::after_flush() {
  closed_ = true;
  tick_timer_.cancel();
  spool_.close();
  // Events that neither the disk nor the API took are lost with the
  // process; those read back but not sent are still in their segments.
  const std::size_t lost = tail_.size();
  tail_.clear();
  notes_.note_state(spool_, std::exchange(tail_dropped_, 0));
  return lost;
}

}  // namespace sluice::deliver::spool
