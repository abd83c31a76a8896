// The bounded set of polled queues: queue names come from anyone who can
// publish a task-sent event, so the set must stay within its bound.
#include "source/tracked_queues.hpp"

#include <gtest/gtest.h>

#include "track/limits.hpp"

namespace sluice::source {
namespace {

std::string name(int i) { return "q" + std::to_string(i); }

TEST(TrackedQueues, NotedNamesBeyondTheBoundAreRefused) {
  TrackedQueues q(100);
  int refused = 0;
  for (int i = 0; i < 100'000; ++i) refused += q.note(name(i)) == NoteResult::refused_limit;
  EXPECT_EQ(q.size(), 100u);
  EXPECT_EQ(refused, 100'000 - 100);
  EXPECT_EQ(q.all().size(), 100u);
}

TEST(TrackedQueues, AKnownNameIsNeitherAddedTwiceNorRefused) {
  TrackedQueues q(2);
  EXPECT_EQ(q.note("a"), NoteResult::added);
  EXPECT_EQ(q.note("b"), NoteResult::added);
  EXPECT_EQ(q.note("a"), NoteResult::known);
  EXPECT_EQ(q.note("c"), NoteResult::refused_limit);
  q.replace_bound({"c"});  // now bound: pushes one noted name out
  EXPECT_EQ(q.note("c"), NoteResult::known);
  EXPECT_EQ(q.size(), 2u);
}

TEST(TrackedQueues, NamesOverTheContractLimitAreRefusedNotCut) {
  TrackedQueues q(10);
  EXPECT_EQ(q.note(std::string(track::limits::kQueue + 1, 'x')), NoteResult::refused_too_long);
  EXPECT_EQ(q.note(std::string(track::limits::kQueue, 'x')), NoteResult::added);
  EXPECT_EQ(q.size(), 1u);
}

TEST(TrackedQueues, BoundQueuesComeFirstAndAreBoundedToo) {
  TrackedQueues q(3);
  q.note("noted-1");
  q.note("noted-2");
  EXPECT_EQ(q.replace_bound({"b1", "b2"}), 1u);  // one noted name makes room
  EXPECT_EQ(q.size(), 3u);
  EXPECT_EQ(q.all().at(0), "b1");
  EXPECT_EQ(q.all().at(1), "b2");
  EXPECT_EQ(q.replace_bound({"b1", "b2", "b3", "b4", "b5"}), 3u);  // b4, b5 and the last noted
  EXPECT_EQ(q.all(), (std::vector<std::string>{"b1", "b2", "b3"}));
  EXPECT_EQ(q.note("more"), NoteResult::refused_limit);
}

TEST(TrackedQueues, ANotedQueueReadEmptyIsForgottenABoundOneIsNot) {
  TrackedQueues q(2);
  q.replace_bound({"bound"});
  q.note("noted");
  q.forget_if_noted("noted");
  q.forget_if_noted("bound");
  EXPECT_EQ(q.all(), (std::vector<std::string>{"bound"}));
  EXPECT_EQ(q.note("other"), NoteResult::added);  // the room is free again
}

TEST(TrackedQueues, ANotedQueueThatBecomesBoundCountsOnce) {
  TrackedQueues q(2);
  q.note("a");
  EXPECT_EQ(q.replace_bound({"a"}), 0u);
  EXPECT_EQ(q.size(), 1u);
  EXPECT_FALSE(q.has_noted());
  EXPECT_TRUE(q.is_bound("a"));
}

}  // namespace
}  // namespace sluice::source
