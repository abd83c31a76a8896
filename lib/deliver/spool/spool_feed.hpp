#pragma once
// SpoolFeed: how hand-over groups reach the Deliverer when a spool is
// configured (docs/spool.md). Every group is written to the spool first.
// While nothing older waits on disk and the Deliverer has room, the group
// goes on from memory at once; otherwise it is read back later, oldest
// first, whenever delivery has made room. Delivery reports what it is done
// with (SettleListener), and the spool deletes what is all settled.
//
// When the disk fails, groups wait in a bounded memory tail behind what is
// still on disk, so the order per job holds; once the disk is back, the
// tail is written out first. Runs on the delivery thread.

#include <chrono>
#include <cstddef>

#include "common/asio.hpp"
#include "deliver/deliverer.hpp"
#include "deliver/encoded_events.hpp"
#include "deliver/spool/spool.hpp"
#include "deliver/spool/spool_notes.hpp"

namespace sluice::deliver::spool {

class SpoolFeed final : public SettleListener {
 public:
  // With a spool behind it, memory only needs to keep every lane busy (32
  // lanes of 500-event batches); the backlog waits on disk. Outage memory
  // came down from ~80 MB with 100 000 events in memory.
  static constexpr std::size_t kMemoryEvents = 32'768;
  static constexpr std::size_t kMemoryBytes = 16u << 20;

  // `memory_events` / `memory_bytes`: what the Deliverer may hold (its
  // buffer bounds); the memory tail is bounded the same way.
  SpoolFeed(asio::any_io_executor executor, Spool& spool, Deliverer& deliverer, SpoolNotes& notes,
            std::size_t memory_events, std::size_t memory_bytes, std::chrono::milliseconds sync_interval);
  SpoolFeed(const SpoolFeed&) = delete;
  SpoolFeed& operator=(const SpoolFeed&) = delete;

  void start();  // the periodic sync and refill
  void accept(EncodedEvents& group);  // tags the events it spools
  // Before a flush: moves what memory can take into delivery. After it: the
  // spool closes cleanly (what is unsent stays for the next start).
  void before_flush();
  std::size_t after_flush();  // returns the events lost (not spooled, not sent)

  void settled(std::uint16_t tag, std::size_t events) override;

 private:
  bool fits(std::size_t events, std::size_t bytes) const;
  void refill();
  void schedule_refill();
  void tick();
  void arm_tick();
  void move_tail_to_spool();
  void keep_in_tail(const EncodedEvents& group, std::size_t first);

  Spool& spool_;
  Deliverer& deliverer_;
  SpoolNotes& notes_;
  std::size_t memory_events_;
  std::size_t memory_bytes_;
  std::chrono::milliseconds sync_interval_;
  EncodedEvents tail_;     // not spooled (the disk failed), behind everything on disk
  EncodedEvents reading_;  // read back from the spool, on its way to the Deliverer
  std::uint64_t tail_dropped_ = 0;
  asio::steady_timer tick_timer_;
  asio::any_io_executor executor_;
  bool refill_posted_ = false;
  bool closed_ = false;
};

}  // namespace sluice::deliver::spool
