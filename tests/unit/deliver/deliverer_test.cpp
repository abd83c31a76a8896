// The delivery loop against an in-memory Sink that answers from a script:
// ordering, splitting, batching, flushing — without sockets.
#include "deliver/deliverer.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <set>

#include "deliver/stdout_sink.hpp"
#include "support/delivery_checks.hpp"
#include "support/delivery_harness.hpp"
#include "support/holding_sink.hpp"
#include "support/sample_events.hpp"

namespace sluice::deliver {
namespace {

using namespace std::chrono_literals;
using testing::sample_job_event;
using testing::sample_key;
using testing::HoldingSink;

class ScriptedSink final : public Sink {
 public:
  std::deque<SendResult> script;        // answers in order; then 200
  std::vector<Batch> attempts;          // every batch it was asked to send
  std::function<SendResult(const Batch&)> judge;  // overrides the script when set

  asio::awaitable<SendResult> send(const Batch& batch) override {
    attempts.push_back(batch);
    if (judge) co_return judge(batch);
    if (script.empty()) co_return SendResult::answer(200);
    SendResult next = script.front();
    script.pop_front();
    co_return next;
  }
};

DeliveryOptions fast_options() {
  DeliveryOptions options;
  options.limits = BatchLimits{500, 1 << 20, 50ms};
  options.retry = RetryTiming{5ms, 20ms, 100ms};
  return options;
}

// Every event the sink was asked to send, in order (retries repeat them).
std::vector<std::string> attempted_events(const ScriptedSink& sink) {
  std::vector<std::string> out;
  for (const auto& b : sink.attempts) {
    for (auto& e : b.events()) out.push_back(std::move(e));
  }
  return out;
}

TEST(Deliverer, SendsBatchesInBufferOrderOneAtATime) {
  testing::DeliveryHarness h;
  auto sink = std::make_unique<ScriptedSink>();
  auto* s = sink.get();
  auto options = fast_options();
  options.limits.max_events = 7;
  auto& d = h.make(std::move(sink), options);
  for (int i = 0; i < 30; ++i) testing::push_sample(d, sample_job_event("j", i));
  d.start();
  ASSERT_TRUE(h.run_until([&] { return h.counter("sluiced_events_delivered_total") == 30; }));
  std::vector<std::size_t> sizes;
  for (const auto& b : s->attempts) sizes.push_back(b.size());
  EXPECT_EQ(sizes, (std::vector<std::size_t>{7, 7, 7, 7, 2}));
  const auto all = attempted_events(*s);
  for (int i = 0; i < 30; ++i) EXPECT_EQ(sample_key(all[static_cast<std::size_t>(i)]).seq, i);
  EXPECT_EQ(d.waiting(), 0u);
  EXPECT_EQ(d.status().condition, Condition::ok);
}

TEST(Deliverer, RejectedEventsAreIsolatedBySplittingAndOnlyTheyAreDropped) {
  testing::DeliveryHarness h;
  auto sink = std::make_unique<ScriptedSink>();
  auto* s = sink.get();
  std::vector<std::string> accepted;
  s->judge = [&](const Batch& b) {
    for (const auto& e : b.events()) {
      const auto seq = sample_key(e).seq;
      if (seq == 3 || seq == 11) {
        SendResult r = SendResult::answer(400);
        r.error = ApiError{"VALIDATION_ERROR", "bad event", R"([{"path":"events.0.job"}])"};
        return r;
      }
    }
    for (auto& e : b.events()) accepted.push_back(std::move(e));
    return SendResult::answer(202);
  };
  auto& d = h.make(std::move(sink), fast_options());
  for (int i = 0; i < 16; ++i) testing::push_sample(d, sample_job_event("j", i));
  d.start();
  ASSERT_TRUE(h.run_until([&] { return d.waiting() == 0; }));
  std::vector<long long> seqs;
  for (const auto& e : accepted) seqs.push_back(sample_key(e).seq);
  EXPECT_EQ(seqs, (std::vector<long long>{0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 12, 13, 14, 15}));
  EXPECT_EQ(h.dropped("rejected"), 2u);
  EXPECT_EQ(h.counter("sluiced_events_delivered_total"), 14u);
  // Each split half is a new request with its own key.
  std::set<std::string> keys;
  for (const auto& b : s->attempts) keys.insert(b.idempotency_key());
  EXPECT_EQ(keys.size(), s->attempts.size());
  EXPECT_NE(h.log_text().find("error.code=VALIDATION_ERROR"), std::string::npos);
  EXPECT_NE(h.log_text().find("details="), std::string::npos);
}

TEST(Deliverer, RetriesKeepTheBatchAndItsKey) {
  testing::DeliveryHarness h;
  auto sink = std::make_unique<ScriptedSink>();
  auto* s = sink.get();
  s->script = {SendResult::answer(503), SendResult::transport_failure("connect: refused"), SendResult::answer(500)};
  auto& d = h.make(std::move(sink), fast_options());
  for (int i = 0; i < 5; ++i) testing::push_sample(d, sample_job_event("j", i));
  d.start();
  ASSERT_TRUE(h.run_until([&] { return h.counter("sluiced_events_delivered_total") == 5; }));
  ASSERT_EQ(s->attempts.size(), 4u);
  for (const auto& b : s->attempts) EXPECT_EQ(b, s->attempts.front());
  EXPECT_EQ(h.batches("5xx"), 2u);
  EXPECT_EQ(h.batches("error"), 1u);
  EXPECT_EQ(h.batches("2xx"), 1u);
  // One line when delivery starts failing, one when it recovers.
  const std::string log = h.log_text();
  EXPECT_EQ(log.find("delivery failing"), log.rfind("delivery failing"));
  EXPECT_NE(log.find("delivery recovered"), std::string::npos);
}

TEST(Deliverer, AnEventLargerThanABatchIsDroppedAsRejected) {
  testing::DeliveryHarness h;
  auto sink = std::make_unique<ScriptedSink>();
  auto* s = sink.get();
  auto options = fast_options();
  options.limits.max_bytes = 4096;
  auto& d = h.make(std::move(sink), options);
  testing::push_sample(d, sample_job_event("j", 0));
  testing::push_sample(d, sample_job_event("j", 1, 5000));
  testing::push_sample(d, sample_job_event("j", 2));
  d.start();
  ASSERT_TRUE(h.run_until([&] { return d.waiting() == 0; }));
  EXPECT_EQ(h.dropped("rejected"), 1u);
  EXPECT_EQ(h.counter("sluiced_events_delivered_total"), 2u);
  for (const auto& b : s->attempts) EXPECT_LE(b.body_bytes(), 4096u);
}

TEST(Deliverer, WaitsForTheFlushIntervalBeforeSendingAPartialBatch) {
  testing::DeliveryHarness h;
  auto sink = std::make_unique<ScriptedSink>();
  auto* s = sink.get();
  auto options = fast_options();
  options.limits.flush_interval = 300ms;
  auto& d = h.make(std::move(sink), options);
  d.start();
  const auto pushed = std::chrono::steady_clock::now();
  testing::push_sample(d, sample_job_event("j", 0));
  ASSERT_TRUE(h.run_until([&] { return !s->attempts.empty(); }));
  EXPECT_GE(std::chrono::steady_clock::now() - pushed, 300ms);
}

TEST(Deliverer, FlushSendsEverythingBufferedRightAway) {
  testing::DeliveryHarness h;
  auto sink = std::make_unique<ScriptedSink>();
  auto options = fast_options();
  options.limits.flush_interval = 60s;
  auto& d = h.make(std::move(sink), options);
  d.start();
  for (int i = 0; i < 1234; ++i) testing::push_sample(d, sample_job_event("j", i));
  EXPECT_EQ(h.flush(5s), 0u);
  EXPECT_EQ(h.counter("sluiced_events_delivered_total"), 1234u);
  EXPECT_FALSE(d.running());
  testing::push_sample(d, sample_job_event("j", 9999));  // too late: counted, not kept
  EXPECT_EQ(h.dropped("shutdown"), 1u);
}

TEST(Deliverer, FlushCountsWhatItCouldNotSend) {
  testing::DeliveryHarness h;
  auto sink = std::make_unique<ScriptedSink>();
  sink->judge = [](const Batch&) { return SendResult::answer(503); };
  auto& d = h.make(std::move(sink), fast_options());
  d.start();
  for (int i = 0; i < 700; ++i) testing::push_sample(d, sample_job_event("j", i));
  EXPECT_EQ(h.flush(200ms), 700u);
  EXPECT_EQ(h.dropped("shutdown"), 700u);
  EXPECT_NE(h.log_text().find("dropped=700"), std::string::npos);
  EXPECT_EQ(d.waiting(), 0u);
}

TEST(Deliverer, StdoutSinkWritesExactlyOneEventPerLine) {
  testing::DeliveryHarness h;
  std::ostringstream out;
  auto& d = h.make(std::make_unique<StdoutSink>(out), fast_options());
  d.start();
  std::string expected;
  for (int i = 0; i < 3; ++i) {
    testing::push_sample(d, sample_job_event("j", i));
    expected += sample_job_event("j", i) + "\n";
  }
  EXPECT_EQ(h.flush(5s), 0u);
  EXPECT_EQ(out.str(), expected);
}

DeliveryOptions concurrent_options(std::size_t fixed) {
  DeliveryOptions options = fast_options();
  options.limits.max_events = 20;
  options.concurrency = ConcurrencyOptions{false, fixed};
  return options;
}

TEST(Deliverer, AtALowRateOneRequestAtATimeCarriesEverything) {
  testing::DeliveryHarness h;
  auto sink = std::make_unique<HoldingSink>(h.io.get_executor());
  auto* s = sink.get();
  auto& d = h.make(std::move(sink), concurrent_options(8));
  d.start();
  // 60 jobs, one event every 5 ms: about 10 per 50 ms flush interval, less
  // than a full batch of 20 per round trip.
  int pushed = 0;
  asio::steady_timer pace(h.io);
  std::function<void()> next = [&] {
    testing::push_sample(d, sample_job_event("job-" + std::to_string(pushed), pushed));
    if (++pushed == 60) return;
    pace.expires_after(5ms);
    pace.async_wait([&](const boost::system::error_code&) { next(); });
  };
  next();
  ASSERT_TRUE(h.run_until([&] { return h.counter("sluiced_events_delivered_total") == 60; }));
  EXPECT_EQ(s->most_in_flight, 1u);
  EXPECT_LE(s->attempts.size(), 12u);  // batches as full as the interval allows, not one per job
}

TEST(Deliverer, KeysKeepTheirOrderWhileRequestsRunSideBySide) {
  testing::DeliveryHarness h;
  auto sink = std::make_unique<HoldingSink>(h.io.get_executor());
  auto* s = sink.get();
  std::mt19937_64 rng(5);
  s->hold = [&](const Batch&) { return std::chrono::milliseconds(rng() % 30); };
  s->answer = [&](const Batch&) { return rng() % 10 == 0 ? SendResult::answer(503) : SendResult::answer(202); };
  auto& d = h.make(std::move(sink), concurrent_options(8));
  d.start();
  for (int round = 0; round < 5; ++round) {
    for (int job = 0; job < 200; ++job) testing::push_sample(d, sample_job_event("job-" + std::to_string(job), round));
  }
  ASSERT_TRUE(h.run_until([&] { return h.counter("sluiced_events_delivered_total") == 1000; }));
  EXPECT_GT(s->most_in_flight, 1u);
  const auto accepted = s->accepted();
  EXPECT_EQ(accepted.size(), 1000u);
  EXPECT_TRUE(testing::in_order_per_job(accepted));
  EXPECT_TRUE(testing::no_duplicates(accepted));
}

TEST(Deliverer, ARateLimitOnOneLaneHaltsEveryLane) {
  testing::DeliveryHarness h;
  auto sink = std::make_unique<HoldingSink>(h.io.get_executor());
  auto* s = sink.get();
  int sent = 0;
  s->hold = [&](const Batch&) { return ++sent == 3 ? 5ms : 40ms; };
  std::string limited_key;
  s->answer = [&](const Batch& b) {
    if (!limited_key.empty() || sent < 3) return SendResult::answer(202);
    limited_key = b.idempotency_key();
    SendResult r = SendResult::answer(429);
    r.retry_after = "1";
    return r;
  };
  auto& d = h.make(std::move(sink), concurrent_options(4));
  d.start();
  for (int job = 0; job < 400; ++job) testing::push_sample(d, sample_job_event("job-" + std::to_string(job), 0));
  ASSERT_TRUE(h.run_until([&] { return h.counter("sluiced_events_delivered_total") == 400; }));
  ASSERT_FALSE(limited_key.empty());
  HoldingSink::Clock::time_point limited_at{};
  for (const auto& a : s->attempts) {
    if (a.result.status == 429) limited_at = a.ended;
  }
  std::size_t during = 0;
  for (const auto& a : s->attempts) during += a.started >= limited_at && a.started < limited_at + 1s ? 1 : 0;
  EXPECT_EQ(during, 0u);
  // The limited batch went again, with its key.
  std::size_t with_key = 0;
  for (const auto& a : s->attempts) with_key += a.batch.idempotency_key() == limited_key ? 1 : 0;
  EXPECT_EQ(with_key, 2u);
}

// Failing tasks with 50 KB tracebacks during an outage: the bound in bytes
// holds the backlog, not the count (100 000 of them would be 5 GB).
TEST(Deliverer, ABacklogOfLargeEventsIsBoundedInBytesAndCountedExactly) {
  testing::DeliveryHarness h;
  auto sink = std::make_unique<ScriptedSink>();
  bool outage = true;
  sink->judge = [&](const Batch&) { return outage ? SendResult::answer(503) : SendResult::answer(202); };
  auto options = fast_options();
  options.buffer_max_bytes = 4 << 20;
  options.limits.max_events = 10;
  auto& d = h.make(std::move(sink), options);
  d.start();
  constexpr int kPushed = 400;  // 20 MB of events
  for (int i = 0; i < kPushed; ++i) {
    testing::push_sample(d, sample_job_event("job-" + std::to_string(i), i, 50'000));
    EXPECT_LE(d.waiting_bytes(), options.buffer_max_bytes);
  }
  EXPECT_EQ(h.dropped("overflow") + d.waiting(), static_cast<std::size_t>(kPushed));
  EXPECT_GT(h.dropped("overflow"), 300u);
  EXPECT_EQ(h.metrics.gauge("sluiced_buffer_bytes", "").value(), static_cast<double>(d.waiting_bytes()));
  outage = false;
  ASSERT_TRUE(h.run_until([&] { return d.waiting() == 0; }));
  EXPECT_EQ(h.dropped("overflow") + h.counter("sluiced_events_delivered_total"), static_cast<std::size_t>(kPushed));
}

}  // namespace
}  // namespace sluice::deliver
