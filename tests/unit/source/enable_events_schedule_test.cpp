#include "source/enable_events_schedule.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <random>

namespace sluice::source {
namespace {

using namespace std::chrono_literals;
using Clock = EnableEventsSchedule::Clock;
using Strings = std::vector<std::string>;

const Clock::time_point t0 = Clock::time_point{} + 1h;
const EnableEventsTiming timing{};  // slow 10 s, fast 40 ms, fast phase 3 s, give up 30 s

TEST(EnableEventsSchedule, DueAtOnceThenEverySlowInterval) {
  EnableEventsSchedule s(timing, t0);
  EXPECT_LE(s.next_due(), t0);
  EXPECT_TRUE(s.published(t0, 0).empty());
  EXPECT_EQ(s.next_due(), t0 + 10s);
}

TEST(EnableEventsSchedule, BroadcastsFastUntilTheReceiverCountCoversANewWorker) {
  EnableEventsSchedule s(timing, t0);
  s.published(t0, 2);  // two workers listen
  s.worker_appeared("w@new", t0 + 1s);
  EXPECT_EQ(s.next_due(), t0 + 40ms);  // at once, within the cap
  // The start race: announced, not yet subscribed.
  EXPECT_TRUE(s.published(t0 + 1s, 2).empty());
  EXPECT_EQ(s.next_due(), t0 + 1s + 40ms);
  EXPECT_TRUE(s.published(t0 + 1s + 40ms, 2).empty());
  EXPECT_EQ(s.published(t0 + 1s + 80ms, 3), Strings{"w@new"});
  EXPECT_EQ(s.pending(), 0u);
  EXPECT_EQ(s.next_due(), t0 + 1s + 80ms + 10s);
}

// sluiced's own subscription completes while a PUBLISH is in flight: that
// PUBLISH may have left before the subscription, so the next is immediate.
TEST(EnableEventsSchedule, ATriggerDuringAPublishMakesTheNextOneImmediate) {
  auto no_fast_beat = timing;
  no_fast_beat.after_subscription = 0ms;
  EnableEventsSchedule s(no_fast_beat, t0);
  s.published(t0, 1);
  s.sending();
  s.subscribed(t0 + 5ms);
  s.published(t0 + 10ms, 1);
  EXPECT_EQ(s.next_due(), t0 + 10ms + 40ms);  // at once, within the cap
  s.sending();
  s.published(t0 + 50ms, 1);
  EXPECT_EQ(s.next_due(), t0 + 50ms + 10s);
}

TEST(EnableEventsSchedule, ATaskEventEndsTheFastBeat) {
  EnableEventsSchedule s(timing, t0);
  s.published(t0, 1);
  s.worker_appeared("w@e", t0 + 1s);
  s.published(t0 + 1s, 1);
  s.worker_has_events("w@e");
  EXPECT_EQ(s.unconfirmed(), 0u);
  EXPECT_EQ(s.next_due(), t0 + 11s);
  // It stays in line: its subscription, counted later, is not credited to another worker.
  s.worker_appeared("w@late", t0 + 2s);
  EXPECT_EQ(s.published(t0 + 2s, 2), Strings{"w@e"});
  EXPECT_EQ(s.unconfirmed(), 1u);
  EXPECT_EQ(s.published(t0 + 2s + 40ms, 3), Strings{"w@late"});
}

TEST(EnableEventsSchedule, GrowthIsCreditedOldestFirst) {
  EnableEventsSchedule s(timing, t0);
  s.published(t0, 0);
  s.worker_appeared("a", t0 + 1s);
  s.worker_appeared("b", t0 + 1s);
  s.worker_appeared("c", t0 + 1s);
  EXPECT_EQ(s.published(t0 + 1s, 2), (Strings{"a", "b"}));
  EXPECT_EQ(s.unconfirmed(), 1u);
  EXPECT_EQ(s.next_due(), t0 + 1s + 40ms);
  EXPECT_EQ(s.published(t0 + 1s + 40ms, 3), Strings{"c"});
}

TEST(EnableEventsSchedule, AnUnsubscribedWorkerDoesNotHideANewOne) {
  EnableEventsSchedule s(timing, t0);
  s.published(t0, 5);
  s.worker_appeared("new", t0 + 1s);
  // An old worker went away and the new one subscribed: the count did not move.
  EXPECT_TRUE(s.published(t0 + 1s, 5).empty());
  EXPECT_TRUE(s.published(t0 + 1s + 40ms, 4).empty());  // another old one left
  EXPECT_EQ(s.published(t0 + 1s + 80ms, 5), Strings{"new"});
}

TEST(EnableEventsSchedule, UnknownFloorWaitsForGrowthAfterTheFirstCount) {
  EnableEventsSchedule s(timing, t0);
  s.worker_appeared("w", t0);  // before sluiced ever published: the first count may include it
  EXPECT_TRUE(s.published(t0, 1).empty());
  EXPECT_EQ(s.published(t0 + 40ms, 2), Strings{"w"});
}

TEST(EnableEventsSchedule, ARestartedWorkerIsPendingAgainAndALeavingOneIsNot) {
  EnableEventsSchedule s(timing, t0);
  s.published(t0, 1);
  s.worker_appeared("w", t0 + 1s);
  s.worker_has_events("w");
  s.worker_appeared("w", t0 + 2s);  // restarted: a new process, events off again
  EXPECT_EQ(s.pending(), 1u);
  EXPECT_EQ(s.unconfirmed(), 1u);
  s.worker_left("w");
  EXPECT_EQ(s.pending(), 0u);
  s.published(t0 + 2s, 1);
  EXPECT_EQ(s.next_due(), t0 + 12s);
}

TEST(EnableEventsSchedule, ResubscriptionRunsTheFastBeatForAWhile) {
  EnableEventsSchedule s(timing, t0);
  s.published(t0, 3);
  s.subscribed(t0 + 5s);
  EXPECT_EQ(s.next_due(), t0 + 40ms);
  s.published(t0 + 5s, 3);
  EXPECT_EQ(s.next_due(), t0 + 5s + 40ms);
  s.published(t0 + 7999ms, 3);
  EXPECT_EQ(s.next_due(), t0 + 8039ms);
  s.published(t0 + 8s, 3);
  EXPECT_EQ(s.next_due(), t0 + 18s);
}

// A worker whose remote control is off never subscribes: fast for the fast
// phase, slower and slower, then given up and reported unreached.
TEST(EnableEventsSchedule, AWorkerNeverReachedIsGivenUpAfterBoundedBroadcasts) {
  EnableEventsSchedule s(timing, t0);
  s.published(t0, 0);
  s.worker_appeared("deaf", t0);
  int broadcasts = 0;
  Clock::time_point now = t0;
  Strings unreached;
  while (s.pending() > 0) {
    now = std::max(now, s.next_due());
    unreached = s.expire(now);
    if (!unreached.empty()) break;
    s.published(now, 0);
    ++broadcasts;
  }
  EXPECT_EQ(unreached, Strings{"deaf"});
  EXPECT_GE(now - t0, 30s);
  EXPECT_LE(broadcasts, 75 + 20);  // 3 s at 25/s, then a growing interval
  EXPECT_GE(broadcasts, 75);
}

TEST(EnableEventsSchedule, ManyReceiversStretchTheGapToTheDeliveryBudget) {
  EnableEventsSchedule s(timing, t0);
  s.published(t0, 5000);  // 5000 x 5/s = the 25 000 deliveries/s budget
  EXPECT_EQ(s.min_gap(), 200ms);
  s.worker_appeared("w", t0 + 1s);
  EXPECT_EQ(s.next_due(), t0 + 200ms);
  s.published(t0 + 1s, 1'000'000);
  EXPECT_EQ(s.min_gap(), 10s);  // never slower than the slow interval
}

// Broadcasts in the busiest window of one second.
int busiest_second(const std::vector<Clock::time_point>& sent) {
  int most = 0;
  for (std::size_t i = 0, j = 0; j < sent.size(); ++j) {
    while (sent[j] - sent[i] >= 1s) ++i;
    most = std::max(most, static_cast<int>(j - i + 1));
  }
  return most;
}

// 500 workers announce themselves at once and subscribe 2-10 ms later, or
// about a second later for a third of them, as Celery does; 3 listeners were
// there before. The schedule is run as the broadcaster runs it.
TEST(EnableEventsSchedule, FiveHundredWorkersStartingAtOnceStayWithinTheCap) {
  std::mt19937 rng(7);
  std::vector<Clock::time_point> subscribes;
  for (int i = 0; i < 500; ++i) {
    const auto delay = i % 3 == 0 ? 900ms + std::chrono::milliseconds(rng() % 200)
                                   : 2ms + std::chrono::milliseconds(rng() % 9);
    subscribes.push_back(t0 + 10s + delay);
  }
  std::sort(subscribes.begin(), subscribes.end());
  auto listeners_at = [&](Clock::time_point t) {
    return 3 + static_cast<std::int64_t>(std::upper_bound(subscribes.begin(), subscribes.end(), t) - subscribes.begin());
  };

  EnableEventsSchedule s(timing, t0);
  s.published(t0, 3);
  for (int i = 0; i < 500; ++i) s.worker_appeared("w" + std::to_string(i), t0 + 10s);
  std::vector<Clock::time_point> sent;
  std::size_t covered = 0;
  Clock::time_point now = t0 + 10s;
  while (now < t0 + 40s) {
    now = std::max(now, s.next_due());
    s.expire(now);
    covered += s.published(now, listeners_at(now)).size();
    sent.push_back(now);
  }
  EXPECT_EQ(covered, 500u);
  EXPECT_LE(busiest_second(sent), 25);  // 1 s / 40 ms, whatever the number of workers
  // Every subscription is followed by a broadcast within the fast beat.
  for (const auto& subscribed : subscribes) {
    auto next = std::upper_bound(sent.begin(), sent.end(), subscribed);
    ASSERT_NE(next, sent.end());
    EXPECT_LE(*next - subscribed, 40ms);
  }
  // Once every worker is covered the slow beat is back.
  auto last_fast = std::adjacent_find(sent.begin(), sent.end(), [](auto a, auto b) { return b - a >= 10s; });
  ASSERT_NE(last_fast, sent.end());
  EXPECT_LT(*last_fast, t0 + 10s + 1200ms);
}

// 10 000 worker-online events in 5 s (a storm, or a hostile publisher with
// made-up names that never subscribe): the cap holds and the storm ends.
TEST(EnableEventsSchedule, AStormOfWorkerOnlineEventsIsCapped) {
  EnableEventsSchedule s(timing, t0);
  s.published(t0, 2);
  std::vector<Clock::time_point> sent;
  Clock::time_point now = t0;
  int announced = 0;
  while (now < t0 + 60s) {
    // Announcements that arrived by `now` (2 per millisecond for 5 s).
    const int by_now = static_cast<int>(std::min<std::int64_t>(10'000, (now - t0) / 1ms * 2));
    for (; announced < by_now; ++announced) s.worker_appeared("fake" + std::to_string(announced), t0 + announced * 500us);
    const auto due = s.next_due();
    if (due > now) {
      now = std::min(due, now + 1ms);  // announcements keep coming
      continue;
    }
    s.expire(now);
    s.published(now, 2);
    sent.push_back(now);
  }
  EXPECT_LE(busiest_second(sent), 25);
  EXPECT_LE(s.pending(), timing.max_pending);
  EXPECT_EQ(s.unconfirmed(), s.pending());
  // Over the 5 s storm, the fast phase after it and a tail of slower retries.
  EXPECT_LE(sent.size(), 25u * 8 + 20);
  RecordProperty("broadcasts", static_cast<int>(sent.size()));
}

}  // namespace
}  // namespace sluice::source
