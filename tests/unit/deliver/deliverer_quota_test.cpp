// The delivery loop when the API says the quota is spent (a 429 with a long
// Retry-After): what waits is superseded and ranked, job states go first.
#include <gtest/gtest.h>

#include "deliver/deliverer.hpp"
#include "support/delivery_harness.hpp"
#include "support/holding_sink.hpp"
#include "support/state_events.hpp"

namespace sluice::deliver {
namespace {

using namespace std::chrono_literals;
using testing::encode;
using testing::job_state_event;
using testing::queue_event;
using testing::state_summary;
using testing::worker_state_event;
using track::JobState;
using track::WorkerState;

// Four lanes side by side, small batches, and a quota halt from 1 s on (the
// shortest Retry-After there is).
DeliveryOptions quota_options() {
  DeliveryOptions options;
  options.limits = BatchLimits{10, 1 << 20, 20ms};
  options.retry = RetryTiming{5ms, 20ms, 100ms};
  options.concurrency = ConcurrencyOptions{false, 4};
  options.quota_halt = 1s;
  return options;
}

SendResult quota_spent() {
  SendResult r = SendResult::answer(429);
  r.retry_after = "1";
  return r;
}

std::string job_id(int n) { return "job-" + std::to_string(n); }

TEST(DelivererQuota, AfterTheHaltEveryJobsLatestStateGoesBeforeAnyWorkerOrQueueEvent) {
  testing::DeliveryHarness h;
  auto sink = std::make_unique<testing::HoldingSink>(h.io.get_executor());
  auto* s = sink.get();
  auto& d = h.make(std::move(sink), quota_options());
  constexpr int kJobs = 60;
  EncodedEvents first;
  encode(first, worker_state_event("w1", WorkerState::online));
  for (int n = 0; n < kJobs; ++n) encode(first, job_state_event(job_id(n), JobState::queued, std::nullopt));
  // What the workers do while delivery is halted.
  EncodedEvents during;
  for (int n = 0; n < kJobs; ++n) {
    encode(during, job_state_event(job_id(n), JobState::active, JobState::queued));
    encode(during, worker_state_event("w1", n % 2 == 0 ? WorkerState::busy : WorkerState::idle));
    encode(during, queue_event("celery", kJobs - n));
    encode(during, job_state_event(job_id(n), JobState::completed, JobState::active));
  }
  encode(during, worker_state_event("w2", WorkerState::online));
  std::size_t accepted = 0;
  bool refused = false;
  s->answer = [&](const Batch& batch) {
    if (!refused && accepted >= 20) {
      refused = true;
      asio::post(h.io, [&] { d.push(during); });  // once the halt is in force
      return quota_spent();
    }
    accepted += batch.size();
    return SendResult::answer(202);
  };
  d.push(first);
  d.start();
  ASSERT_TRUE(h.run_until([&] {
    return refused && d.waiting() == 0 && h.counter("sluiced_events_delivered_total") == accepted;
  }));
  // What requests started after the 429 carried, in the order accepted.
  testing::HoldingSink::Clock::time_point halted{};
  for (const auto& attempt : s->attempts) {
    if (attempt.result.status == 429) halted = attempt.ended;
  }
  std::vector<std::string> after;
  std::vector<std::string> all;
  for (const auto& attempt : s->attempts) {
    if (attempt.result.status / 100 != 2) continue;
    for (auto& e : attempt.batch.events()) {
      all.push_back(e);
      if (attempt.started >= halted) after.push_back(std::move(e));
    }
  }
  std::size_t first_other = after.size();
  std::size_t last_job = 0;
  std::size_t finals = 0;
  for (std::size_t i = 0; i < after.size(); ++i) {
    const std::string summary = state_summary(after[i]);
    if (summary.rfind("job ", 0) == 0) {
      last_job = i;
      finals += summary.find(":completed") != std::string::npos;
      EXPECT_EQ(summary.find(":active"), std::string::npos) << "superseded, never sent: " << summary;
    } else if (first_other == after.size()) {
      first_other = i;
    }
  }
  EXPECT_EQ(finals, static_cast<std::size_t>(kJobs));
  EXPECT_LT(last_job, first_other);
  ASSERT_LT(first_other, after.size());
  EXPECT_EQ(state_summary(after[first_other]), "worker w2:online") << "presence before refreshes";
  EXPECT_EQ(testing::untruthful_previous_states(all), std::vector<std::string>{});
  // One queue snapshot and one refresh of w1 are left of their 60 each.
  EXPECT_EQ(h.counter("sluiced_events_coalesced_total", {{"reason", "superseded_queue_snapshot"}}), kJobs - 1u);
  EXPECT_EQ(h.counter("sluiced_events_coalesced_total", {{"reason", "superseded_worker_refresh"}}), kJobs - 1u);
  EXPECT_GE(h.counter("sluiced_events_coalesced_total", {{"reason", "superseded_job_state"}}), kJobs * 1u);
  EXPECT_EQ(h.dropped("overflow"), 0u);
}

// The buffer fills while the quota is spent: superseding makes room before
// anything is dropped, and what must be dropped is the least important.
TEST(DelivererQuota, AFullBufferDuringTheHaltSupersedesBeforeDropping) {
  testing::DeliveryHarness h;
  auto sink = std::make_unique<testing::HoldingSink>(h.io.get_executor());
  auto* s = sink.get();
  auto options = quota_options();
  options.buffer_max_events = 100;
  auto& d = h.make(std::move(sink), options);
  constexpr int kJobs = 80;
  EncodedEvents during;
  for (int n = 0; n < kJobs; ++n) {
    encode(during, job_state_event(job_id(n), JobState::queued, std::nullopt));
    encode(during, queue_event("q" + std::to_string(n), n));
    encode(during, job_state_event(job_id(n), JobState::completed, JobState::queued));
  }
  bool refused = false;
  s->answer = [&](const Batch&) {
    if (refused) return SendResult::answer(202);
    refused = true;
    asio::post(h.io, [&] { d.push(during); });
    return quota_spent();
  };
  EncodedEvents before;
  encode(before, queue_event("celery", 1));
  d.push(before);
  d.start();
  ASSERT_TRUE(h.run_until([&] { return refused && d.waiting() == 0 && h.counter("sluiced_events_delivered_total") > 0; }));
  std::size_t finals = 0;
  for (const auto& e : s->accepted()) finals += state_summary(e).find(":completed") != std::string::npos;
  EXPECT_EQ(finals, static_cast<std::size_t>(kJobs));
  // 241 events for a bound of 100: the 80 final states stay, queue
  // snapshots make the rest of the room.
  EXPECT_GT(h.dropped("overflow"), 0u);
  EXPECT_EQ(h.dropped("overflow") + h.counter("sluiced_events_delivered_total") +
                h.counter("sluiced_events_coalesced_total", {{"reason", "superseded_job_state"}}),
            3u * kJobs + 1);
}

// A batch whose fate is unknown (a 503) when the quota halt ends keeps its
// Idempotency-Key and goes first; the events of its jobs queue behind it.
TEST(DelivererQuota, ABatchOwedARetryKeepsItsKeyAndGoesFirst) {
  testing::DeliveryHarness h;
  auto sink = std::make_unique<testing::HoldingSink>(h.io.get_executor());
  auto* s = sink.get();
  auto& d = h.make(std::move(sink), quota_options());
  EncodedEvents queued;
  for (int n = 0; n < 20; ++n) encode(queued, job_state_event(job_id(n), JobState::queued, std::nullopt));
  EncodedEvents finished;
  for (int n = 0; n < 20; ++n) encode(finished, job_state_event(job_id(n), JobState::completed, JobState::queued));
  std::string unknown_key;
  int requests = 0;
  // The first two requests run side by side: one ends in a 503 while the
  // other's 429 (1 s) is in force.
  s->hold = [&](const Batch&) { return requests++ == 0 ? 60ms : 5ms; };
  s->answer = [&](const Batch& batch) {
    if (s->attempts.empty()) {
      asio::post(h.io, [&] { d.push(finished); });
      return quota_spent();
    }
    if (unknown_key.empty()) {
      unknown_key = batch.idempotency_key();
      return SendResult::answer(503);
    }
    return SendResult::answer(202);
  };
  d.push(queued);
  d.start();
  ASSERT_TRUE(h.run_until([&] { return !unknown_key.empty() && d.waiting() == 0; }));
  std::size_t with_key = 0;
  for (const auto& attempt : s->attempts) with_key += attempt.batch.idempotency_key() == unknown_key;
  EXPECT_EQ(with_key, 2u);
  std::size_t finals = 0;
  for (const auto& e : s->accepted()) finals += state_summary(e).find(":completed") != std::string::npos;
  EXPECT_EQ(finals, 20u);
  EXPECT_EQ(testing::untruthful_previous_states(s->accepted()), std::vector<std::string>{});
}

}  // namespace
}  // namespace sluice::deliver
