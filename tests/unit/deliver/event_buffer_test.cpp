#include "deliver/event_buffer.hpp"

#include <gtest/gtest.h>

namespace sluice::deliver {
namespace {

const EventBuffer::TimePoint t0{};

TEST(EventBuffer, KeepsOrderAndCountsBytes) {
  EventBuffer buffer(10);
  EXPECT_FALSE(buffer.push("a", t0));
  EXPECT_FALSE(buffer.push("bb", t0));
  EXPECT_FALSE(buffer.push("ccc", t0));
  EXPECT_EQ(buffer.size(), 3u);
  EXPECT_EQ(buffer.bytes(), 6u);
  EXPECT_EQ(buffer.take_front(2), (std::vector<std::string>{"a", "bb"}));
  EXPECT_EQ(buffer.bytes(), 3u);
  EXPECT_EQ(buffer.event(0), "ccc");
}

TEST(EventBuffer, DropsExactlyTheOldestWhenFull) {
  EventBuffer buffer(100);
  std::size_t reported = 0;
  for (int i = 0; i < 1234; ++i) reported += buffer.push(std::to_string(i), t0) ? 1 : 0;
  EXPECT_EQ(buffer.size(), 100u);
  EXPECT_EQ(buffer.dropped_overflow(), 1134u);
  EXPECT_EQ(reported, 1134u);
  auto kept = buffer.take_front(1000);
  ASSERT_EQ(kept.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(kept[static_cast<std::size_t>(i)], std::to_string(1134 + i));
  EXPECT_EQ(buffer.bytes(), 0u);
}

TEST(EventBuffer, RemembersArrivalTimes) {
  EventBuffer buffer(2);
  buffer.push("a", t0 + std::chrono::seconds(1));
  buffer.push("b", t0 + std::chrono::seconds(2));
  buffer.push("c", t0 + std::chrono::seconds(3));  // drops "a"
  EXPECT_EQ(buffer.arrival(0), t0 + std::chrono::seconds(2));
  EXPECT_EQ(buffer.clear(), 2u);
  EXPECT_TRUE(buffer.empty());
  EXPECT_EQ(buffer.bytes(), 0u);
}

}  // namespace
}  // namespace sluice::deliver
