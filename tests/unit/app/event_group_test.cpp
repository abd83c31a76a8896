#include "app/event_group.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sluice::app {
namespace {

TEST(EventGroup, KeepsEventsInOrderWithTheirBounds) {
  EventGroup group;
  EXPECT_TRUE(group.empty());
  group.append(R"({"a":1})");
  group.append("");
  group.append(R"({"b":"two"})");
  ASSERT_EQ(group.size(), 3u);
  EXPECT_EQ(group[0], R"({"a":1})");
  EXPECT_EQ(group[1], "");
  EXPECT_EQ(group[2], R"({"b":"two"})");
}

TEST(EventGroup, AppendingAGroupAddsItsEventsAfterOwn) {
  EventGroup first;
  first.append("1");
  EventGroup second;
  second.append("22");
  second.append("333");
  first.append(second);
  ASSERT_EQ(first.size(), 3u);
  EXPECT_EQ(first[0], "1");
  EXPECT_EQ(first[1], "22");
  EXPECT_EQ(first[2], "333");
  EXPECT_EQ(second.size(), 2u);  // the source is left as it was
}

TEST(EventGroup, SwapExchangesContents) {
  EventGroup full;
  full.append("x");
  EventGroup empty;
  full.swap(empty);
  EXPECT_TRUE(full.empty());
  ASSERT_EQ(empty.size(), 1u);
  EXPECT_EQ(empty[0], "x");
}

TEST(EventGroup, ClearEmptiesAndTheGroupIsReusable) {
  EventGroup group;
  group.append(std::string(1 << 20, 'e'));  // a backlog-sized group
  group.append("small");
  group.clear();
  EXPECT_TRUE(group.empty());
  EXPECT_EQ(group.size(), 0u);
  group.append("again");
  ASSERT_EQ(group.size(), 1u);
  EXPECT_EQ(group[0], "again");
}

}  // namespace
}  // namespace sluice::app
