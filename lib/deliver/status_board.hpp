#pragma once
// StatusBoard: the delivery status as the delivery thread last published it,
// for any thread to read without waiting for that thread (/health and
// /ready are answered on the reading thread). The status itself changes per
// request; the number of buffered events, which changes per event, is a
// separate atomic.

#include <atomic>
#include <cstddef>
#include <mutex>

#include "deliver/delivery_status.hpp"

namespace sluice::deliver {

class StatusBoard {
 public:
  void publish(const DeliveryStatus& status) {
    std::lock_guard lock(mutex_);
    status_ = status;
  }
  void set_buffered(std::size_t events) { buffered_.store(events, std::memory_order_relaxed); }

  DeliveryStatus read() const {
    DeliveryStatus copy;
    {
      std::lock_guard lock(mutex_);
      copy = status_;
    }
    copy.buffered_events = buffered_.load(std::memory_order_relaxed);
    return copy;
  }

 private:
  mutable std::mutex mutex_;
  DeliveryStatus status_;
  std::atomic<std::size_t> buffered_{0};
};

}  // namespace sluice::deliver
