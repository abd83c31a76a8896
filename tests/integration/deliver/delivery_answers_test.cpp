// What the client takes from an answer: its status, whatever the body.
#include "integration/deliver/delivery_fixture.hpp"

namespace sluice::deliver {
namespace {

using testing::Fault;

constexpr std::size_t kBeyondTheResponseLimit = 2 * 1024 * 1024;  // the client reads at most 1 MiB

TEST_F(DeliveryTest, A2xxWithABodyBeyondTheResponseLimitIsDeliveredOnce) {
  Fault big = Fault::answer(200);
  big.body = std::string(kBeyondTheResponseLimit, 'x');
  server().fail_next(big);
  auto& d = deliverer();
  push_events(d, 10);
  d.start();
  ASSERT_TRUE(h_.run_until([&] { return h_.counter("sluiced_events_delivered_total") >= 10; })) << h_.log_text();
  EXPECT_EQ(server().request_count(), 1u) << "a 2xx is never sent again";
  EXPECT_EQ(h_.batches("error"), 0u);
  EXPECT_EQ(d.status().condition, Condition::ok);
}

TEST_F(DeliveryTest, AnErrorWithABodyBeyondTheResponseLimitKeepsItsStatus) {
  Fault big = Fault::answer(503);
  big.body = std::string(kBeyondTheResponseLimit, 'x');
  server().fail_next(big);
  auto& d = deliverer();
  const auto pushed = push_events(d, 10);
  d.start();
  ASSERT_TRUE(accepted_at_least(10)) << h_.log_text();
  EXPECT_EQ(h_.batches("5xx"), 1u) << "retried as the 503 it was, not as a transport error";
  EXPECT_EQ(h_.batches("error"), 0u);
  EXPECT_EQ(server().accepted_events(), pushed);
}

}  // namespace
}  // namespace sluice::deliver
