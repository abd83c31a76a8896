#include "track/queue_snapshots.hpp"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace sluice::track
