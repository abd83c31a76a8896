#include "track/queue_snapshots.hpp"

#include <gtest/gtest.h>

#include "common/utf8.hpp"
#include "track/limits.hpp"

namespace sluice::track {
namespace {

constexpr EpochMillis kRefresh = 30'000;

IngestEvent snap(const std::string& name, long long depth, EpochMillis at) {
  return IngestEvent{at, QueueSnapshot{name, depth, std::nullopt}};
}

TEST(QueueSnapshots, FirstReadingOfEveryQueueIsSent) {
  QueueSnapshots s(kRefresh);
  EXPECT_EQ(s.on_poll({{"a", 3}, {"b", 0}}, 1000), (std::vector<IngestEvent>{snap("a", 3, 1000), snap("b", 0, 1000)}));
}

TEST(QueueSnapshots, OnlyChangedDepthsAreSentWithinTheRefreshInterval) {
  QueueSnapshots s(kRefresh);
  s.on_poll({{"a", 3}, {"b", 0}}, 0);
  EXPECT_TRUE(s.on_poll({{"a", 3}, {"b", 0}}, 10'000).empty());
  EXPECT_EQ(s.on_poll({{"a", 4}, {"b", 0}}, 20'000), (std::vector<IngestEvent>{snap("a", 4, 20'000)}));
}

TEST(QueueSnapshots, EveryQueueIsSentAtLeastOncePerRefreshInterval) {
  QueueSnapshots s(kRefresh);
  s.on_poll({{"a", 3}, {"b", 0}}, 0);
  s.on_poll({{"a", 5}, {"b", 0}}, 20'000);
  EXPECT_TRUE(s.on_poll({{"a", 5}, {"b", 0}}, 29'999).empty());
  EXPECT_EQ(s.on_poll({{"a", 5}, {"b", 0}}, 30'000), (std::vector<IngestEvent>{snap("b", 0, 30'000)}));
  EXPECT_EQ(s.on_poll({{"a", 5}, {"b", 0}}, 50'000), (std::vector<IngestEvent>{snap("a", 5, 50'000)}));
}

TEST(QueueSnapshots, DisappearedQueueGetsOneFinalZeroThenIsForgotten) {
  QueueSnapshots s(kRefresh);
  s.on_poll({{"a", 3}, {"b", 2}}, 0);
  EXPECT_EQ(s.on_poll({{"a", 3}}, 10'000), (std::vector<IngestEvent>{snap("b", 0, 10'000)}));
  EXPECT_EQ(s.known(), 1u);
  EXPECT_TRUE(s.on_poll({{"a", 3}}, 20'000).empty());
  EXPECT_TRUE(s.on_poll({{"a", 3}}, 100'000).size() == 1);  // only a's refresh
}

TEST(QueueSnapshots, ReturningQueueIsNewAgain) {
  QueueSnapshots s(kRefresh);
  s.on_poll({{"a", 3}}, 0);
  s.on_poll({}, 1000);
  EXPECT_EQ(s.on_poll({{"a", 3}}, 2000), (std::vector<IngestEvent>{snap("a", 3, 2000)}));
}

TEST(QueueSnapshots, UnreadableQueueIsNeitherSentNorGone) {
  QueueSnapshots s(kRefresh);
  s.on_poll({{"a", 3}}, 0);
  EXPECT_TRUE(s.on_poll({{"a", std::nullopt}}, 40'000).empty());
  EXPECT_EQ(s.known(), 1u);
  EXPECT_EQ(s.on_poll({{"a", 3}}, 50'000), (std::vector<IngestEvent>{snap("a", 3, 50'000)}));
}

TEST(QueueSnapshots, UnreadableNewQueueIsNotRemembered) {
  QueueSnapshots s(kRefresh);
  EXPECT_TRUE(s.on_poll({{"a", std::nullopt}}, 0).empty());
  EXPECT_EQ(s.known(), 0u);
}

TEST(QueueSnapshots, AQueueThatDisappearsEmptyGetsNoSecondZero) {
  QueueSnapshots s(kRefresh);
  s.on_poll({{"a", 0}}, 0);
  EXPECT_TRUE(s.on_poll({}, 10'000).empty());
  EXPECT_EQ(s.known(), 0u);
  EXPECT_EQ(s.forgotten(), (std::vector<std::string>{"a"}));
  EXPECT_TRUE(s.on_poll({}, 20'000).empty());
  EXPECT_TRUE(s.forgotten().empty());
}

// A name seen only in a task-sent event, whose list is empty, is not a
// queue yet: a flood of made-up names costs no event.
TEST(QueueSnapshots, ANotedQueueIsReportedOnceItHoldsMessages) {
  QueueSnapshots s(kRefresh);
  EXPECT_TRUE(s.on_poll({{"noted", 0, false}}, 0).empty());
  EXPECT_EQ(s.known(), 0u);
  EXPECT_EQ(s.on_poll({{"noted", 2, false}}, 1000), (std::vector<IngestEvent>{snap("noted", 2, 1000)}));
  EXPECT_EQ(s.on_poll({{"noted", 0, false}}, 2000), (std::vector<IngestEvent>{snap("noted", 0, 2000)}));
  EXPECT_TRUE(s.on_poll({}, 3000).empty());  // then forgotten without a second 0
}

TEST(QueueSnapshots, NamesAreCutToTheContractLimitOnACodePointBoundary) {
  QueueSnapshots s(kRefresh);
  std::string name;
  while (name.size() < 1'000'000) name += "\xC3\xA9";  // "é", two bytes: byte 255 is half of one
  const auto events = s.on_poll({{name, 3}}, 0);
  ASSERT_EQ(events.size(), 1u);
  const auto& sent = std::get<QueueSnapshot>(events[0].body).name;
  EXPECT_EQ(sent.size(), limits::kQueue - 1);  // 127 x "é"
  EXPECT_TRUE(utf8::is_valid(sent));
  EXPECT_EQ(sent, name.substr(0, limits::kQueue - 1));
  EXPECT_TRUE(s.on_poll({{name, 3}}, 1000).empty());  // the same queue, unchanged
  EXPECT_EQ(s.on_poll({}, 2000), (std::vector<IngestEvent>{snap(sent, 0, 2000)}));
}

}  // namespace
}  // namespace sluice::track
