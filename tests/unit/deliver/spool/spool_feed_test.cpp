// The spool between hand-over and the Deliverer, with a sink that is up or
// down on command: what delivery cannot hold waits on disk, comes back in
// order, survives a shutdown, and the disk is emptied as the API accepts.
#include "deliver/spool/spool_feed.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>

#include <map>
#include <optional>

#include "support/delivery_harness.hpp"
#include "support/temp_dir.hpp"

namespace sluice::deliver::spool {
namespace {

using namespace std::chrono_literals;

// Accepts everything while up; 503 while down.
class SwitchSink final : public Sink {
 public:
  bool up = true;
  std::vector<std::string> accepted;
  asio::awaitable<SendResult> send(const Batch& batch) override {
    if (!up) co_return SendResult::answer(503);
    for (auto& event : batch.events()) accepted.push_back(std::move(event));
    co_return SendResult::answer(200);
  }
};

DeliveryOptions small_memory() {
  DeliveryOptions options;
  options.limits = BatchLimits{100, 1 << 20, 10ms};
  options.retry = RetryTiming{5ms, 20ms, 100ms};
  options.buffer_max_events = 300;
  return options;
}

std::string event_json(int job, int step) {
  return R"({"type":"job_state_change","job":)" + std::to_string(job) + R"(,"step":)" + std::to_string(step) + "}";
}

// Groups of 50 events over 40 jobs, each job's steps in order.
std::vector<EncodedEvents> traffic(int groups) {
  std::vector<EncodedEvents> out;
  int n = 0;
  for (int g = 0; g < groups; ++g) {
    EncodedEvents group;
    for (int i = 0; i < 50; ++i, ++n) {
      const int job = n % 40;
      group.append(event_json(job, n / 40), EventKind::job, key_of(EventKind::job, std::to_string(job)));
    }
    out.push_back(std::move(group));
  }
  return out;
}

// Every job's steps arrive complete and in order.
void expect_complete_and_ordered(const std::vector<std::string>& accepted, int events) {
  std::map<int, int> next_step;
  std::size_t seen = 0;
  for (const auto& text : accepted) {
    const auto job_at = text.find("\"job\":") + 6;
    const int job = std::stoi(text.substr(job_at));
    const int step = std::stoi(text.substr(text.find("\"step\":") + 7));
    if (step < next_step[job]) continue;  // a repeat (sent again after a restart) is allowed
    EXPECT_EQ(step, next_step[job]) << "job " << job << " out of order";
    next_step[job] = step + 1;
    ++seen;
  }
  EXPECT_EQ(seen, static_cast<std::size_t>(events));
}

struct FeedRig {
  explicit FeedRig(const std::string& dir) : spool(SpoolOptions{dir, 64 << 20, 20ms, 0, 0ms}) {
    auto owned = std::make_unique<SwitchSink>();
    sink = owned.get();
    auto& deliverer = harness.make(std::move(owned), small_memory());
    notes.emplace(harness.metrics, harness.log);
    feed.emplace(harness.io.get_executor(), spool, deliverer, *notes, 300, 1 << 20, 20ms);
    deliverer.start();
    feed->start();
  }
  testing::DeliveryHarness harness;
  Spool spool;
  SwitchSink* sink = nullptr;
  std::optional<SpoolNotes> notes;
  std::optional<SpoolFeed> feed;
};

TEST(SpoolFeed, WhatMemoryCannotHoldWaitsOnDiskAndArrivesInOrder) {
  testing::TempDir dir;
  FeedRig rig(dir.file("spool"));
  rig.sink->up = false;
  for (auto& group : traffic(100)) {
    rig.feed->accept(group);
    EXPECT_LE(rig.harness.deliverer().waiting(), 300u) << "memory stays within its window";
    rig.harness.io.poll();
  }
  EXPECT_GT(rig.spool.unread_events(), 4000u) << "the rest is on disk";
  rig.sink->up = true;
  ASSERT_TRUE(rig.harness.run_until([&] { return rig.sink->accepted.size() >= 5000; }, 30s));
  expect_complete_and_ordered(rig.sink->accepted, 5000);
  EXPECT_EQ(rig.harness.dropped("overflow"), 0u);
  ASSERT_TRUE(rig.harness.run_until([&] { return rig.spool.events() == 0; }));
  rig.spool.tick();
  EXPECT_EQ(rig.spool.bytes(), 0u) << "every settled segment is deleted";
}

TEST(SpoolFeed, AShutdownDuringAnOutageKeepsEverythingForTheNextStart) {
  testing::TempDir dir;
  {
    FeedRig rig(dir.file("spool"));
    rig.sink->up = false;
    for (auto& group : traffic(40)) rig.feed->accept(group);
    rig.feed->before_flush();
    EXPECT_EQ(rig.harness.flush(100ms), 0u) << "nothing counted as dropped: it stays spooled";
    EXPECT_EQ(rig.feed->after_flush(), 0u);
    EXPECT_EQ(rig.harness.dropped("shutdown"), 0u);
    EXPECT_NE(rig.harness.log_text().find("stay in the spool"), std::string::npos) << rig.harness.log_text();
  }
  FeedRig next(dir.file("spool"));
  EXPECT_TRUE(next.spool.recovery().clean);
  EXPECT_EQ(next.spool.recovery().events, 2000u);
  // Newer events of the same jobs come after the old ones.
  auto later = traffic(41);
  next.feed->accept(later.back());
  ASSERT_TRUE(next.harness.run_until([&] { return next.sink->accepted.size() >= 2050; }, 30s));
  expect_complete_and_ordered(next.sink->accepted, 2050);
}

TEST(SpoolFeed, WhileTheDiskFailsEventsWaitInMemoryBehindWhatIsOnDisk) {
  testing::TempDir dir;
  FeedRig rig(dir.file("spool"));
  rig.sink->up = false;
  auto groups = traffic(15);
  for (int i = 0; i < 10; ++i) rig.feed->accept(groups[static_cast<std::size_t>(i)]);
  ASSERT_GT(rig.spool.unread_events(), 0u);
  // Files may not grow any more: every write fails (EFBIG, as ENOSPC would).
  ::signal(SIGXFSZ, SIG_IGN);
  rlimit saved{};
  ::getrlimit(RLIMIT_FSIZE, &saved);
  rlimit limit = saved;
  limit.rlim_cur = 0;
  ::setrlimit(RLIMIT_FSIZE, &limit);
  // (5 groups: 250 events, within the memory tail's bound of 300)
  for (int i = 10; i < 15; ++i) rig.feed->accept(groups[static_cast<std::size_t>(i)]);
  EXPECT_TRUE(rig.spool.degraded());
  ::setrlimit(RLIMIT_FSIZE, &saved);
  rig.sink->up = true;  // the disk is back at the next tick; the API at once
  ASSERT_TRUE(rig.harness.run_until([&] { return rig.sink->accepted.size() >= 750 && !rig.spool.degraded(); }, 30s));
  expect_complete_and_ordered(rig.sink->accepted, 750);
  EXPECT_EQ(rig.harness.dropped("overflow"), 0u);
}

}  // namespace
}  // namespace sluice::deliver::spool
