#include "deliver/encoded_events.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sluice::deliver {
namespace {

using namespace std::chrono_literals;

TEST(EncodedEvents, KeepsEventsInOrderWithTypeKeyAndBounds) {
  EncodedEvents events;
  EXPECT_TRUE(events.empty());
  events.append(R"({"a":1})", EventKind::job, 11);
  events.open_event() += R"({"b":"two"})";  // written in place, as the encoder does
  events.close_event(EventKind::worker, 22);
  events.append(R"({"c":3})", EventKind::queue, 33);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events.event(0), R"({"a":1})");
  EXPECT_EQ(events.event(1), R"({"b":"two"})");
  EXPECT_EQ(events.kind(1), EventKind::worker);
  EXPECT_EQ(events.key(2), 33u);
  EXPECT_EQ(events.joined(0, 3), R"({"a":1},{"b":"two"},{"c":3})");
  EXPECT_EQ(events.joined(1, 1), R"({"b":"two"})");
  EXPECT_EQ(events.bytes(), 7u + 11u + 7u + 3u);  // each with its separator
}

TEST(EncodedEvents, AppendingAGroupAddsItsEventsAfterOwn) {
  EncodedEvents first;
  first.append("1", EventKind::job, 1);
  EncodedEvents second;
  second.append("x", EventKind::job, 9);
  second.pop_front();  // a consumed prefix is not copied
  second.append("22", EventKind::worker, 2);
  second.append("333", EventKind::queue, 3);
  first.append(second);
  ASSERT_EQ(first.size(), 3u);
  EXPECT_EQ(first.joined(0, 3), "1,22,333");
  EXPECT_EQ(first.kind(2), EventKind::queue);
  EXPECT_EQ(second.size(), 2u);  // the source is left as it was
}

TEST(EncodedEvents, PoppingFromTheFrontKeepsTheRestIntactAcrossCompaction) {
  EncodedEvents events;
  const auto t0 = EncodedEvents::TimePoint{} + 1h;
  const std::string big(1000, 'x');
  for (int i = 0; i < 2000; ++i) events.append(big + std::to_string(i), EventKind::job, i, t0 + std::chrono::milliseconds(i));
  for (int i = 0; i < 1990; ++i) {
    ASSERT_EQ(events.event(0), big + std::to_string(i));
    events.pop_front();
    events.append(big + std::to_string(2000 + i), EventKind::job, 2000 + i, t0);
  }
  ASSERT_EQ(events.size(), 2000u);
  EXPECT_EQ(events.event(0), big + "1990");
  EXPECT_EQ(events.arrived(0), t0 + 1990ms);
  EXPECT_EQ(events.key(9), 1999u);
  EXPECT_EQ(events.event(1999), big + "3989");
  // What was consumed was given back: the buffer holds about its content.
  EXPECT_LT(events.capacity_bytes(), 4 * events.bytes());
}

TEST(EncodedEvents, ClearReleasesABacklogsCapacityButKeepsASmallOne) {
  EncodedEvents events;
  events.append(std::string(4 << 20, 'e'), EventKind::job, 1);  // a backlog-sized group
  EXPECT_GE(events.capacity_bytes(), 4u << 20);
  events.clear();
  EXPECT_TRUE(events.empty());
  EXPECT_LT(events.capacity_bytes(), 1u << 20);
  events.append("again", EventKind::job, 2);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events.event(0), "again");

  EncodedEvents small;
  small.append(std::string(1000, 's'), EventKind::job, 1);
  const std::size_t kept = small.capacity_bytes();
  small.clear();
  EXPECT_EQ(small.capacity_bytes(), kept);  // reused group to group
}

TEST(EncodedEvents, ALanesBufferKeepsOnlyWhatItWasToldTo) {
  EncodedEvents lane(16 * 1024);
  lane.append(std::string(250 * 1024, 'e'), EventKind::job, 1);  // a batch's worth
  lane.pop_front();  // taken into a batch: the buffer is empty
  EXPECT_LT(lane.capacity_bytes(), 16u * 1024);
  EncodedEvents hand_over;
  hand_over.append(std::string(250 * 1024, 'e'), EventKind::job, 1);
  hand_over.pop_front();
  EXPECT_GE(hand_over.capacity_bytes(), 250u * 1024);  // refilled at once: kept
}

TEST(EncodedEvents, KeysSeparateKindsAndIds) {
  EXPECT_EQ(key_of(EventKind::job, "a"), key_of(EventKind::job, "a"));
  EXPECT_NE(key_of(EventKind::job, "a"), key_of(EventKind::job, "b"));
  EXPECT_NE(key_of(EventKind::job, "a"), key_of(EventKind::worker, "a"));
  EXPECT_STREQ(to_string(EventKind::worker), "worker_state_change");
}

}  // namespace
}  // namespace sluice::deliver
