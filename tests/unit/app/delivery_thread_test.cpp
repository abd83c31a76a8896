// DeliveryThread against an in-memory sink: events pushed on the main
// thread reach the sink in order, sent from the delivery thread; flush()
// resumes its caller on the main thread; status() answers from over there.
#include "app/delivery_thread.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

#include "support/await.hpp"
#include "support/wait_until.hpp"
#include "support/sample_events.hpp"

namespace sluice::app {
namespace {

using namespace std::chrono_literals;
using testing::sample_job_event;
using testing::sample_key;

// Accepts everything; remembers the events and the threads it ran on.
class RecordingSink final : public deliver::Sink {
 public:
  asio::awaitable<deliver::SendResult> send(const deliver::Batch& batch) override {
    std::lock_guard lock(mutex);
    for (auto& e : batch.events()) events.push_back(std::move(e));
    threads.push_back(std::this_thread::get_id());
    co_return deliver::SendResult::answer(202);
  }

  std::mutex mutex;
  std::vector<std::string> events;
  std::vector<std::thread::id> threads;
};

struct DeliveryThreadTest : ::testing::Test {
  deliver::DeliveryOptions options() {
    deliver::DeliveryOptions o;
    o.limits = deliver::BatchLimits{50, 1 << 20, 20ms};
    return o;
  }

  asio::io_context main_io;
  asio::io_context delivery_io;
  observe::Metrics metrics;
  std::ostringstream log_text;
  observe::Logger log{log_text, observe::Level::debug, observe::Format::text};
  RecordingSink sink;
};

TEST_F(DeliveryThreadTest, EventsPushedInBurstsArriveInOrderSentFromItsOwnThread) {
  DeliveryThread delivery(delivery_io, main_io.get_executor(), options(), sink, metrics, log, 1, testing::kSampleConnectionId);
  delivery.start();
  // Ten main-thread handlers of 100 events each, as a Redis read would give:
  // full groups go over at once, the rest after the hand-over delay.
  for (int burst = 0; burst < 10; ++burst) {
    asio::post(main_io, [&delivery, burst] {
      for (int i = 0; i < 100; ++i) testing::push_sample(delivery, sample_job_event("j", burst * 100 + i));
    });
  }
  std::optional<std::size_t> dropped;
  std::thread::id resumed_on;
  asio::co_spawn(
      main_io,
      [&]() -> asio::awaitable<void> {
        // Let the bursts run first: flush() must not overtake them.
        co_await asio::post(main_io, asio::use_awaitable);
        dropped = co_await delivery.flush(5s);
        resumed_on = std::this_thread::get_id();
      },
      asio::detached);
  ASSERT_TRUE(testing::run_until(main_io, [&] { return dropped.has_value(); }));

  EXPECT_EQ(*dropped, 0u);
  EXPECT_EQ(resumed_on, std::this_thread::get_id());
  std::lock_guard lock(sink.mutex);
  ASSERT_EQ(sink.events.size(), 1000u);
  for (std::size_t i = 0; i < sink.events.size(); ++i) EXPECT_EQ(sample_key(sink.events[i]).seq, static_cast<long long>(i));
  ASSERT_FALSE(sink.threads.empty());
  for (const auto& id : sink.threads) EXPECT_NE(id, std::this_thread::get_id());
}

TEST_F(DeliveryThreadTest, StatusComesFromTheDeliveryThread) {
  DeliveryThread delivery(delivery_io, main_io.get_executor(), options(), sink, metrics, log, 1, testing::kSampleConnectionId);
  EXPECT_EQ(delivery.status().condition, deliver::Condition::idle);  // not started: read directly
  delivery.start();
  asio::post(main_io, [&delivery] {
    for (int i = 0; i < 3; ++i) testing::push_sample(delivery, sample_job_event("j", i));
  });
  ASSERT_TRUE(testing::run_until(main_io, [&] {
    const auto status = delivery.status();
    return status.condition == deliver::Condition::ok && status.buffered_events == 0;
  }));
  EXPECT_EQ(metrics.counter("sluiced_events_delivered_total", "").value(), 3u);
}

// Never answers: a request stays in flight until cancel().
class HangingSink final : public deliver::Sink {
 public:
  explicit HangingSink(asio::io_context& io) : timer_(io) {}
  asio::awaitable<deliver::SendResult> send(const deliver::Batch&) override {
    started.store(true);
    timer_.expires_at(asio::steady_timer::time_point::max());
    boost::system::error_code ec;
    co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    cancelled.store(true);
    co_return deliver::SendResult::transport_failure("cancelled");
  }
  void cancel() override { timer_.cancel(); }

  std::atomic<bool> started{false};
  std::atomic<bool> cancelled{false};

 private:
  asio::steady_timer timer_;
};

TEST_F(DeliveryThreadTest, DestroyingItCancelsARequestInFlightAndJoins) {
  HangingSink hanging(delivery_io);
  {
    DeliveryThread delivery(delivery_io, main_io.get_executor(), options(), hanging, metrics, log, 1,
                            testing::kSampleConnectionId);
    delivery.start();
    for (int i = 0; i < 300; ++i) testing::push_sample(delivery, sample_job_event("j", i));  // one full group
    ASSERT_TRUE(testing::wait_until([&] { return hanging.started.load(); }));
  }  // the destructor ends the loop, cancelling the request, and joins
  EXPECT_TRUE(hanging.cancelled.load());
  EXPECT_TRUE(delivery_io.stopped());
}

TEST_F(DeliveryThreadTest, StatusIsReadWithoutWaitingForTheDeliveryThread) {
  HangingSink hanging(delivery_io);
  DeliveryThread delivery(delivery_io, main_io.get_executor(), options(), hanging, metrics, log, 1,
                          testing::kSampleConnectionId);
  delivery.start();
  // The delivery thread is kept busy until the status has been read: a
  // status that had to be asked for over there would never come.
  std::promise<void> release;
  asio::post(delivery_io, [busy = release.get_future().share()] { busy.wait(); });
  EXPECT_EQ(delivery.status().condition, deliver::Condition::idle);
  release.set_value();
}

}  // namespace
}  // namespace sluice::app
