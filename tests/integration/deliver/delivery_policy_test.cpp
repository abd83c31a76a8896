// Every row of the status table (docs/ingest-contract.md §2), measured on
// the wire against the local test ingest server.
#include <gtest/gtest.h>

#include "delivery_fixture.hpp"

namespace sluice::deliver {
namespace {

using namespace std::chrono_literals;
using testing::Fault;

TEST_F(DeliveryTest, Accepted2xxDeliversEverythingInOrderOnOneConnection) {
  auto& d = deliverer();
  const auto pushed = push_events(d, 1200);
  d.start();
  ASSERT_TRUE(accepted_at_least(1200));
  EXPECT_EQ(server().accepted_events(), pushed);
  EXPECT_EQ(h_.counter("sluiced_events_delivered_total"), 1200u);
  EXPECT_EQ(h_.batches("2xx"), 3u);  // 500 + 500 + 200
  EXPECT_EQ(server().connection_count(), 1u);
  EXPECT_EQ(d.status().condition, Condition::ok);
  EXPECT_TRUE(d.status().last_success.has_value());
  EXPECT_TRUE(h_.run_until([&] { return d.waiting() == 0; }));
  EXPECT_EQ(h_.metrics.gauge("sluiced_buffer_events", "").value(), 0.0);
}

TEST_F(DeliveryTest, ValidationError400DropsOnlyTheInvalidEvents) {
  server().set_invalid_marker("poison");
  auto& d = deliverer();
  std::vector<std::string> expected;
  for (int i = 0; i < 40; ++i) {
    std::string event = testing::sample_job_event("job-" + std::to_string(i % 3), i);
    if (i == 7) event.replace(event.find("\"framework\":\"celery\""), 20, "\"framework\":\"rq\"");  // schema
    if (i == 29) event = testing::sample_job_event("job-poison", i);                               // marker
    if (i != 7 && i != 29) expected.push_back(event);
    testing::push_sample(d, event);
  }
  d.start();
  ASSERT_TRUE(h_.run_until([&] { return d.waiting() == 0; }));
  EXPECT_EQ(server().accepted_events(), expected);
  EXPECT_EQ(h_.dropped("rejected"), 2u);
  EXPECT_GE(h_.batches("4xx"), 2u);
  const std::string log = h_.log_text();
  EXPECT_NE(log.find("the Sluice API rejected an event"), std::string::npos) << log;
  EXPECT_NE(log.find("error.code=VALIDATION_ERROR"), std::string::npos) << log;
  EXPECT_NE(log.find("events.0.framework"), std::string::npos) << log;  // details of the single event
  EXPECT_TRUE(testing::keys_mean_one_batch(server().requests()));
}

TEST_F(DeliveryTest, PayloadTooLarge413SplitsAndKeepsOrder) {
  server().set_max_body_bytes(20'000);
  auto& d = deliverer();
  const auto pushed = push_events(d, 300);  // ~60 KB per 200 events
  testing::push_sample(d, testing::sample_job_event("job-huge", 300, 30'000));
  const auto after = push_events(d, 10, 5, 301);
  d.start();
  ASSERT_TRUE(h_.run_until([&] { return d.waiting() == 0; }));
  auto expected = pushed;
  expected.insert(expected.end(), after.begin(), after.end());
  EXPECT_EQ(server().accepted_events(), expected);
  EXPECT_EQ(h_.dropped("rejected"), 1u);  // the one event too large on its own
  std::size_t too_large = 0;
  for (const auto& r : server().requests()) too_large += r.status == 413 ? 1 : 0;
  EXPECT_GE(too_large, 2u);
}

TEST_F(DeliveryTest, TooManyRequests429SendsNothingBeforeRetryAfter) {
  server().fail_next(Fault::answer(429, "3"));
  auto& d = deliverer();
  const auto pushed = push_events(d, 20);
  d.start();
  ASSERT_TRUE(h_.run_until([&] { return d.status().condition == Condition::rate_limited; }));
  push_events(d, 5, 5, 20);  // events keep coming while paused
  ASSERT_TRUE(accepted_at_least(25));
  const auto requests = server().requests();
  ASSERT_GE(requests.size(), 2u);
  EXPECT_EQ(requests[0].status, 429);
  EXPECT_GE(requests[1].arrived - requests[0].answered, 3s);
  EXPECT_EQ(requests[1].header("idempotency-key"), requests[0].header("idempotency-key"));
  EXPECT_TRUE(testing::in_order_per_job(server().accepted_events()));
  EXPECT_EQ(d.status().condition, Condition::ok);
}

TEST_F(DeliveryTest, ServerErrors5xxAreRetriedWithTheSameKeyAndDeliveredOnce) {
  server().fail_next(Fault::answer(503), 2);
  server().fail_next(Fault::answer(500), 1);
  auto& d = deliverer();
  const auto pushed = push_events(d, 50);
  d.start();
  ASSERT_TRUE(accepted_at_least(50));
  const auto requests = server().requests();
  ASSERT_EQ(requests.size(), 4u);
  for (const auto& r : requests) EXPECT_EQ(r.header("idempotency-key"), requests[0].header("idempotency-key"));
  EXPECT_EQ(server().accepted_events(), pushed);
  EXPECT_EQ(h_.batches("5xx"), 3u);
  const std::string log = h_.log_text();
  EXPECT_EQ(log.find("delivery failing"), log.rfind("delivery failing")) << "state change logged once";
  EXPECT_NE(log.find("delivery recovered"), std::string::npos);
}

TEST_F(DeliveryTest, ATimeoutIsRetriedWithTheSameKey) {
  server().fail_next(Fault::answer(503, "", 3s));
  auto& d = deliverer({{"SLUICE_HTTP_TIMEOUT", "300ms"}});
  const auto pushed = push_events(d, 10);
  d.start();
  ASSERT_TRUE(accepted_at_least(10));
  const auto requests = server().requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].header("idempotency-key"), requests[0].header("idempotency-key"));
  EXPECT_NE(requests[1].connection, requests[0].connection);  // the timed-out connection was dropped
  EXPECT_EQ(h_.batches("error"), 1u);
  EXPECT_EQ(server().accepted_events(), pushed);
}

TEST_F(DeliveryTest, AConnectionResetThenRefusedIsRetriedUntilTheServerIsBack) {
  server().fail_next(Fault::answer(503, "", 10s));
  auto& d = deliverer();
  const auto pushed = push_events(d, 10);
  d.start();
  ASSERT_TRUE(h_.run_until([&] { return server().request_count() == 1; }));
  server().stop_listening();  // resets the connection the request is waiting on
  ASSERT_TRUE(h_.run_until([&] { return h_.batches("error") >= 3; }));
  EXPECT_EQ(d.status().condition, Condition::failing);
  EXPECT_NE(d.status().last_outcome.find("refused"), std::string::npos) << d.status().last_outcome;
  server().resume_listening();
  ASSERT_TRUE(accepted_at_least(10));
  EXPECT_EQ(server().accepted_events(), pushed);
  EXPECT_TRUE(testing::keys_mean_one_batch(server().requests()));
  EXPECT_EQ(testing::retried_batches(server().requests()), 1u);
}

class TlsFailureTest : public DeliveryTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(TlsFailureTest, NothingIsSentAndTheErrorIsCounted) {
  const std::string which = GetParam();
  server(which == "untrusted" ? pki_.untrusted_server : pki_.wrong_host_server);
  auto& d = deliverer();
  push_events(d, 10);
  d.start();
  ASSERT_TRUE(h_.run_until([&] { return h_.batches("error") >= 2; }));
  EXPECT_EQ(server().request_count(), 0u);
  EXPECT_GE(server().tls_failures(), 1u);
  EXPECT_EQ(d.status().condition, Condition::failing);
  EXPECT_NE(d.status().last_outcome.find(which == "untrusted" ? "certificate verify failed" : "hostname mismatch"),
            std::string::npos)
      << d.status().last_outcome;
  EXPECT_EQ(d.waiting(), 10u);  // kept for when the configuration is fixed
}

INSTANTIATE_TEST_SUITE_P(Certificates, TlsFailureTest, ::testing::Values("untrusted", "wrong_host"));

TEST_F(DeliveryTest, BufferOverflowDropsTheOldestWithAnExactCount) {
  auto options = fast_options();
  options.buffer_max_events = 100;
  auto& d = deliverer({}, options);
  const auto pushed = push_events(d, 250);
  EXPECT_EQ(h_.dropped("overflow"), 150u);
  d.start();
  ASSERT_TRUE(accepted_at_least(100));
  EXPECT_TRUE(h_.run_until([&] { return d.waiting() == 0; }));
  EXPECT_EQ(server().accepted_events(), std::vector<std::string>(pushed.begin() + 150, pushed.end()));
}

TEST_F(DeliveryTest, FlushOnShutdownSendsWhatIsBuffered) {
  auto options = fast_options();
  options.limits.flush_interval = 60s;  // only the flush can send the partial batch
  auto& d = deliverer({}, options);
  d.start();
  const auto pushed = push_events(d, 777);
  EXPECT_EQ(h_.flush(5s), 0u);
  EXPECT_EQ(server().accepted_events(), pushed);
  EXPECT_EQ(h_.dropped("shutdown"), 0u);
  EXPECT_FALSE(d.running());
}

TEST_F(DeliveryTest, FlushCountsWhatTheDeadlineLeftBehind) {
  server().stop_listening();
  auto& d = deliverer();
  d.start();
  push_events(d, 321);
  EXPECT_EQ(h_.flush(700ms), 321u);
  EXPECT_EQ(h_.dropped("shutdown"), 321u);
  EXPECT_NE(h_.log_text().find("dropped=321"), std::string::npos);
}

TEST_F(DeliveryTest, GzipOnTheServerReceivesValidGzip) {
  auto& d = deliverer({{"SLUICE_COMPRESSION", "gzip"}});
  const auto pushed = push_events(d, 600);
  d.start();
  ASSERT_TRUE(accepted_at_least(600));
  for (const auto& r : server().requests()) {
    EXPECT_EQ(r.header("content-encoding"), "gzip");
    EXPECT_TRUE(r.gzip_valid);
  }
  EXPECT_EQ(server().accepted_events(), pushed);
}

}  // namespace
}  // namespace sluice::deliver
