// A 30 s outage with events flowing: 15 s of refused connections, then 15 s
// of 503 answers. Afterwards every event has arrived, in order per job, and
// nothing twice except as a retry of the same batch.
#include <gtest/gtest.h>

#include <set>

#include "delivery_fixture.hpp"

namespace sluice::deliver {
namespace {

using namespace std::chrono_literals;

// Pushes one event every `period` until `producing` turns false.
asio::awaitable<void> produce(Deliverer& d, std::vector<std::string>& pushed, const bool& producing,
                              std::chrono::milliseconds period) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (int i = 0; producing; ++i) {
    pushed.push_back(testing::sample_job_event("job-" + std::to_string(i % 7), i));
    testing::push_sample(d, pushed.back());
    timer.expires_after(period);
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

TEST_F(DeliveryTest, AThirtySecondOutageLosesNothingAndKeepsOrder) {
  auto options = fast_options();
  options.limits.max_events = 50;  // many batches, so ordering across batches is exercised
  options.retry = RetryTiming{100ms, 1s, 60s};
  auto& d = deliverer({}, options);
  d.start();
  std::vector<std::string> pushed;
  bool producing = true;
  asio::co_spawn(h_.io, produce(d, pushed, producing, 20ms), asio::detached);

  run_for(1s);
  server().stop_listening();
  run_for(15s);
  server().fail_all(testing::Fault::answer(503));
  server().resume_listening();
  run_for(15s);
  server().clear_faults();
  run_for(1s);
  producing = false;
  run_for(50ms);

  ASSERT_TRUE(h_.run_until([&] { return server().accepted_count() >= pushed.size() && d.waiting() == 0; }, 30s))
      << server().accepted_count() << " of " << pushed.size();
  const auto accepted = server().accepted_events();
  EXPECT_EQ(std::set<std::string>(accepted.begin(), accepted.end()),
            std::set<std::string>(pushed.begin(), pushed.end()));
  EXPECT_TRUE(testing::no_duplicates(accepted));
  EXPECT_TRUE(testing::in_order_per_job(accepted));
  const auto requests = server().requests();
  EXPECT_TRUE(testing::keys_mean_one_batch(requests));
  EXPECT_GE(testing::retried_batches(requests), 1u);
  EXPECT_EQ(h_.dropped("overflow"), 0u);
  EXPECT_GE(h_.batches("5xx"), 5u);
  EXPECT_GE(h_.batches("error"), 5u);
  const std::string log = h_.log_text();
  EXPECT_EQ(log.find("delivery failing"), log.rfind("delivery failing")) << "logged once per state change";
  EXPECT_NE(log.find("delivery recovered"), std::string::npos);
}

}  // namespace
}  // namespace sluice::deliver
