// Several requests in flight against the local HTTPS test server: order per
// job under random answers, account-wide halts, and the adaptive limit
// following the server's capacity.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <set>

#include "delivery_fixture.hpp"

namespace sluice::deliver {
namespace {

using namespace std::chrono_literals;
using testing::Fault;

DeliveryOptions concurrent(std::size_t fixed, std::size_t batch_events) {
  DeliveryOptions options = DeliveryTest::fast_options();
  options.limits.max_events = batch_events;
  options.concurrency = ConcurrencyOptions{fixed == 0, fixed == 0 ? 32 : fixed};
  return options;
}

// 1 000 jobs through 4 states; the server answers in random order after
// 0-200 ms and fails 5 % with 503.
TEST_F(DeliveryTest, EveryJobsEventsArriveInTrackedOrderWithManyRequestsInFlight) {
  server().set_chaos(testing::Chaos{200ms, 50, 11});
  auto& d = deliverer({}, concurrent(16, 50));
  std::set<std::string> pushed;
  for (int state = 0; state < 4; ++state) {
    for (int job = 0; job < 1000; ++job) {
      const std::string event = testing::sample_job_event("job-" + std::to_string(job), state);
      pushed.insert(event);
      testing::push_sample(d, event);
    }
  }
  d.start();
  ASSERT_TRUE(accepted_at_least(4000));
  const auto accepted = server().accepted_events();
  EXPECT_EQ(std::set<std::string>(accepted.begin(), accepted.end()), pushed);  // none lost
  EXPECT_TRUE(testing::in_order_per_job(accepted));
  EXPECT_TRUE(testing::no_duplicates(accepted));
  const auto requests = server().requests();
  EXPECT_TRUE(testing::keys_mean_one_batch(requests));  // a resent key is a retry of the same batch
  EXPECT_GT(testing::retried_batches(requests), 0u);
  EXPECT_GE(server().most_concurrent(), 8u);
  EXPECT_GT(h_.batches("5xx"), 0u);
}

// A 429 with Retry-After: 3 on one lane while the others are in flight: no
// lane sends anything for 3 s after it was answered.
TEST_F(DeliveryTest, ARateLimitOnOneLaneHaltsEveryLaneForRetryAfter) {
  server().set_delay(400ms);
  auto& d = deliverer({}, concurrent(8, 50));
  for (int state = 0; state < 4; ++state) {
    for (int job = 0; job < 500; ++job) {
      testing::push_sample(d, testing::sample_job_event("job-" + std::to_string(job), state));
    }
  }
  d.start();
  ASSERT_TRUE(h_.run_until([&] { return server().request_count() >= 8; }));
  // The next request (once a slot frees, ~400 ms on) gets the 429, answered
  // 200 ms after it arrived: by then every other lane waits on a held answer.
  server().fail_next(Fault::answer(429, "3", 200ms));
  ASSERT_TRUE(accepted_at_least(2000));
  const auto requests = server().requests();
  const auto limited = std::find_if(requests.begin(), requests.end(), [](const auto& r) { return r.status == 429; });
  ASSERT_NE(limited, requests.end());
  for (const auto& request : requests) {
    if (request.arrived <= limited->answered) continue;
    EXPECT_GE(request.arrived - limited->answered, 3s) << "a request "
        << std::chrono::duration_cast<std::chrono::milliseconds>(request.arrived - limited->answered).count()
        << " ms after the 429";
  }
  EXPECT_TRUE(testing::in_order_per_job(server().accepted_events()));
}

// The server's capacity drops from 64 requests at once to 4 (the excess
// queues, so round trips grow) and comes back: the adaptive limit follows
// it down and up, and nothing is answered with 5xx or times out.
TEST_F(DeliveryTest, TheAdaptiveLimitFollowsTheServersCapacity) {
  server().set_delay(50ms);
  server().set_capacity(64);
  auto options = concurrent(0, 50);
  options.buffer_max_events = 20'000;  // the backlog while capacity is low is not the point
  auto& d = deliverer({}, options);
  d.start();
  // 20 000 events/s of distinct jobs: about 20 requests of 50 in flight at 50 ms.
  int next_job = 0;
  asio::steady_timer producer(h_.io);
  // The timer's handler may already be queued when the test cancels it and
  // run only in the harness's shutdown, after these locals are gone: it
  // checks a flag it owns a share of before touching them.
  auto producing = std::make_shared<bool>(true);
  std::function<void()> produce = [&] {
    for (int i = 0; i < 200; ++i, ++next_job) {
      testing::push_sample(d, testing::sample_job_event("job-" + std::to_string(next_job), 0));
    }
    producer.expires_after(10ms);
    producer.async_wait([&, producing](const boost::system::error_code& ec) {
      if (!ec && *producing) produce();
    });
  };
  produce();
  ASSERT_TRUE(h_.run_until([&] { return d.concurrency_limit() >= 16; }, 30s)) << d.concurrency_limit();
  server().set_capacity(4);
  ASSERT_TRUE(h_.run_until([&] { return d.concurrency_limit() <= 8; }, 30s)) << d.concurrency_limit();
  server().set_capacity(64);
  ASSERT_TRUE(h_.run_until([&] { return d.concurrency_limit() >= 16; }, 30s)) << d.concurrency_limit();
  *producing = false;
  producer.cancel();
  EXPECT_EQ(h_.batches("5xx"), 0u);
  EXPECT_EQ(h_.batches("error"), 0u);
  EXPECT_EQ(h_.metrics.gauge("sluiced_delivery_concurrency_limit", "").value(),
            static_cast<double>(d.concurrency_limit()));
}

}  // namespace
}  // namespace sluice::deliver
