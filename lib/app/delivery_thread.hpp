#pragma once
// DeliveryThread: the Deliverer and its sink on an io_context and thread of
// their own, so that reading Redis and delivering over TLS never wait for
// each other. On one thread, each of a request's ~15 TLS write steps queued
// behind a Redis read handler, and at ~150k events/s delivery fell behind
// while the reader stayed just ahead of Redis' output buffer limit.
//
// Everything else in the app stays on the main thread and talks to delivery
// only through this class, from the main thread:
// - push() collects events and hands them over in order, in groups of
//   kHandOverEvents or after kHandOverDelay, whichever comes first: each
//   hand-over wakes the delivery thread, and a wake-up per Redis read cost
//   ~8 % of a core in context switches at 100k events/s;
// - flush() runs the Deliverer's flush over there and resumes the caller on
//   its own executor;
// - status() reads the snapshot the delivery thread publishes; it never
//   waits for that thread (/health must answer while delivery is busy).
//
// Events are encoded here, on the main thread, straight into the hand-over
// buffer (EncodedEvents): the delivery thread queues those bytes as they are.

#include <chrono>
#include <cstdint>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/asio.hpp"
#include "deliver/deliverer.hpp"
#include "deliver/encoded_events.hpp"
#include "deliver/ingest_json.hpp"
#include "deliver/spool/spool.hpp"
#include "deliver/spool/spool_feed.hpp"
#include "deliver/spool/spool_notes.hpp"
#include "track/ingest_event.hpp"

namespace sluice::app {

class DeliveryThread {
 public:
  // `delivery_io` is the context the sink was made on; `main` is the
  // executor push() and flush() are called from. With `spool`, every event
  // goes through the on-disk spool (deliver/spool/spool_feed.hpp); the
  // spool is opened (and what a previous run left is found) here.
  DeliveryThread(asio::io_context& delivery_io, asio::any_io_executor main, deliver::DeliveryOptions options,
                 deliver::Sink& sink, observe::Metrics& metrics, observe::Logger& log, std::uint64_t seed,
                 std::string connection_id, std::optional<deliver::spool::SpoolOptions> spool = {});
  DeliveryThread(const DeliveryThread&) = delete;
  DeliveryThread& operator=(const DeliveryThread&) = delete;
  ~DeliveryThread();  // stops the delivery context and joins the thread

  static constexpr std::size_t kHandOverEvents = 256;
  static constexpr std::chrono::milliseconds kHandOverDelay{10};  // vs. a 1 s flush interval

  void start();
  void push(const track::IngestEvent& event);  // encoded into the hand-over buffer
  void push(std::string_view json, deliver::EventKind kind, deliver::EventKey key);  // already encoded
  asio::awaitable<std::size_t> flush(std::chrono::milliseconds timeout);
  // The Deliverer's published status, buffered_events = events waiting or in flight.
  deliver::DeliveryStatus status() const { return deliverer_.status(); }
  // The spool's last published level; empty without a spool.
  std::optional<deliver::spool::SpoolStatus> spool_status() const;

 private:
  void collected();    // main thread: after an event joined the outbox
  void hand_over();    // main thread: the collected events into the inbox
  void drain_inbox();  // delivery thread: the inbox into the Deliverer

  // Runs `read` on the delivery thread and returns its result (directly
  // when the thread is not running).
  template <class Read>
  auto ask(Read read) const -> decltype(read());

  asio::io_context& io_;
  deliver::Deliverer deliverer_;
  std::optional<deliver::spool::SpoolNotes> spool_notes_;
  std::optional<deliver::spool::Spool> spool_;
  std::optional<deliver::spool::SpoolFeed> feed_;  // delivery thread only
  std::string connection_id_;
  deliver::EncodedEvents outbox_;  // main thread only
  asio::steady_timer hand_over_timer_;  // main thread: hands over a partial group
  std::mutex inbox_mutex_;
  deliver::EncodedEvents inbox_;   // guarded by inbox_mutex_
  bool drain_posted_ = false;       // guarded by inbox_mutex_
  deliver::EncodedEvents draining_;  // delivery thread only
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::thread thread_;
};

template <class Read>
auto DeliveryThread::ask(Read read) const -> decltype(read()) {
  if (!thread_.joinable()) return read();
  auto task = std::make_shared<std::packaged_task<decltype(read())()>>(std::move(read));
  auto answer = task->get_future();
  asio::post(io_, [task] { (*task)(); });
  return answer.get();
}

}  // namespace sluice::app
