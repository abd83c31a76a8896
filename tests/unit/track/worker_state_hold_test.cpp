// The busy/idle hysteresis of one worker, on an injected clock
// (docs/ingest-contract.md §6.1): a reading is sent once it held for the
// hold time, busy/idle reports are at least the minimum interval apart, and
// every reading change that was never sent is counted as coalesced.

#include "track/worker_state_hold.hpp"

#include <gtest/gtest.h>

namespace sluice::track {
namespace {

using namespace std::chrono_literals;
using W = WorkerState;
using Clock = WorkerStateHold::Clock;

Clock::time_point at(std::chrono::milliseconds t) { return Clock::time_point{} + t; }

const WorkerStateRules kRules{10s, 60s};

// Feeds one reading as the tracker does: what is due is sent at once.
struct HeldWorker {
  WorkerStateHold hold;
  std::vector<std::pair<std::chrono::milliseconds, W>> sent;

  void read(std::chrono::milliseconds t, W reading, const WorkerStateRules& rules = kRules) {
    if (auto due = hold.on_reading(reading, at(t), rules)) {
      hold.sent(*due, at(t));
      sent.emplace_back(t, *due);
    }
  }
};

TEST(WorkerStateHold, AChangeIsSentOnceEveryHeartbeatForTheHoldTimeAgrees) {
  HeldWorker w;
  w.hold.reset(W::idle);
  for (auto t = 0ms; t < 10s; t += 2s) w.read(t, W::busy);
  EXPECT_TRUE(w.sent.empty());
  w.read(10s, W::busy);  // the reading began at 0 s: held 10 s
  ASSERT_EQ(w.sent.size(), 1u);
  EXPECT_EQ(w.sent[0], std::make_pair(std::chrono::milliseconds(10s), W::busy));
  EXPECT_EQ(w.hold.reported(), W::busy);
  EXPECT_EQ(w.hold.take_coalesced(), 0u);  // one flip, one event: nothing saved
}

TEST(WorkerStateHold, ShortFlipsCostNothingAndAreCounted) {
  HeldWorker w;
  w.hold.reset(W::idle);
  // A burst every 8 s, busy for one heartbeat each time: 10 flips in 40 s.
  for (auto t = 0ms; t < 40s; t += 2s) w.read(t, (t.count() / 2000) % 4 == 1 ? W::busy : W::idle);
  EXPECT_TRUE(w.sent.empty());
  EXPECT_EQ(w.hold.reported(), W::idle);
  EXPECT_EQ(w.hold.take_coalesced(), 10u);  // each would have been an event
  EXPECT_EQ(w.hold.take_coalesced(), 0u);   // taken once
}

TEST(WorkerStateHold, AResetReadingStartsTheHoldOver) {
  HeldWorker w;
  w.hold.reset(W::idle);
  w.read(0s, W::busy);
  w.read(8s, W::busy);
  w.read(9s, W::idle);   // back: the hold starts over
  w.read(10s, W::busy);
  w.read(18s, W::busy);
  EXPECT_TRUE(w.sent.empty());
  w.read(20s, W::busy);
  ASSERT_EQ(w.sent.size(), 1u);
  EXPECT_EQ(w.sent[0].first, 20s);
  EXPECT_EQ(w.hold.take_coalesced(), 2u);  // busy, idle, busy: one event for three flips
}

TEST(WorkerStateHold, ReportsOfOneWorkerAreAtLeastTheMinimumIntervalApart) {
  HeldWorker w;
  w.hold.reset(W::idle);
  // Busy 20 s, idle 20 s, over and over: each state holds past 10 s.
  for (auto t = 0ms; t <= 200s; t += 2s) w.read(t, (t.count() / 20000) % 2 == 0 ? W::busy : W::idle);
  ASSERT_GE(w.sent.size(), 2u);
  for (std::size_t i = 1; i < w.sent.size(); ++i) EXPECT_GE(w.sent[i].first - w.sent[i - 1].first, 60s) << i;
  EXPECT_LE(w.sent.size(), 4u);  // 200 s: at most one a minute, the first after its hold
  for (std::size_t i = 1; i < w.sent.size(); ++i) EXPECT_NE(w.sent[i].second, w.sent[i - 1].second);
}

TEST(WorkerStateHold, AChangeHeldBackByTheIntervalIsSentWhenTheIntervalEnds) {
  HeldWorker w;
  w.hold.reset(W::idle);
  w.read(0s, W::busy);
  w.read(10s, W::busy);  // sent at 10 s
  for (auto t = 12s; t <= 68s; t += 2s) w.read(t, W::idle);
  ASSERT_EQ(w.sent.size(), 1u);  // idle held since 12 s, but busy went out at 10 s
  w.read(70s, W::idle);
  ASSERT_EQ(w.sent.size(), 2u);
  EXPECT_EQ(w.sent[1], std::make_pair(std::chrono::milliseconds(70s), W::idle));
}

TEST(WorkerStateHold, OnlineAndOfflineEndWhatWasPending) {
  HeldWorker w;
  w.hold.reset(W::online);
  w.read(0s, W::busy);
  w.read(2s, W::busy);
  w.hold.reset(W::offline);  // sent at once by the tracker
  EXPECT_EQ(w.hold.reported(), W::offline);
  EXPECT_EQ(w.hold.take_coalesced(), 1u);  // the busy flip never went out
  w.hold.reset(W::online);
  w.read(4s, W::busy);  // a new reading: the hold starts at 4 s
  w.read(12s, W::busy);
  EXPECT_TRUE(w.sent.empty());
  w.read(14s, W::busy);
  ASSERT_EQ(w.sent.size(), 1u);
  EXPECT_EQ(w.sent[0].second, W::busy);
}

TEST(WorkerStateHold, FromOnlineTheFirstReadingWaitsForItsHoldToo) {
  HeldWorker w;
  w.hold.reset(W::online);
  w.read(0s, W::idle);
  w.read(8s, W::idle);
  EXPECT_TRUE(w.sent.empty());
  w.read(10s, W::idle);
  ASSERT_EQ(w.sent.size(), 1u);
  EXPECT_EQ(w.sent[0].second, W::idle);
}

TEST(WorkerStateHold, ZeroHoldAndIntervalSendEveryChangeAsBefore) {
  HeldWorker w;
  w.hold.reset(W::idle);
  const WorkerStateRules none{0s, 0s};
  w.read(0s, W::busy, none);
  w.read(2s, W::busy, none);
  w.read(4s, W::idle, none);
  w.read(6s, W::busy, none);
  ASSERT_EQ(w.sent.size(), 3u);
  EXPECT_EQ(w.hold.take_coalesced(), 0u);
}

}  // namespace
}  // namespace sluice::track
