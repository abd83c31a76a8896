#include "deliver/batcher.hpp"

#include <gtest/gtest.h>

#include "deliver/batch.hpp"

namespace sluice::deliver {
namespace {

using namespace std::chrono_literals;
const EncodedEvents::TimePoint t0 = EncodedEvents::TimePoint{} + 1h;

void push(EncodedEvents& events, std::string_view json, EncodedEvents::TimePoint at) {
  events.append(json, EventKind::job, 1, at);
}

TEST(Batcher, ClosesAtTheEventCount) {
  Batcher batcher(BatchLimits{3, 1 << 20, 1s});
  EncodedEvents buffer;
  push(buffer, "a", t0);
  push(buffer, "b", t0);
  EXPECT_FALSE(batcher.full(buffer));
  EXPECT_FALSE(batcher.due(buffer, t0 + 999ms));
  push(buffer, "c", t0);
  EXPECT_TRUE(batcher.full(buffer));
  EXPECT_TRUE(batcher.due(buffer, t0));
  push(buffer, "d", t0);
  EXPECT_EQ(batcher.next_batch_size(buffer), 3u);
}

TEST(Batcher, ClosesAtTheFlushIntervalAfterItsFirstEvent) {
  Batcher batcher(BatchLimits{500, 1 << 20, 1s});
  EncodedEvents buffer;
  EXPECT_FALSE(batcher.due(buffer, t0));
  push(buffer, "a", t0);
  push(buffer, "b", t0 + 800ms);
  EXPECT_EQ(batcher.closes_at(buffer), t0 + 1s);
  EXPECT_FALSE(batcher.due(buffer, t0 + 999ms));
  EXPECT_TRUE(batcher.due(buffer, t0 + 1s));
  EXPECT_EQ(batcher.next_batch_size(buffer), 2u);
}

TEST(Batcher, ClosesAtTheByteLimitCountingWrapperAndCommas) {
  // Three 10-byte events: body = 13 + 30 + 2 commas = 45 bytes.
  const std::string e(10, 'x');
  EncodedEvents buffer;
  for (int i = 0; i < 3; ++i) push(buffer, e, t0);
  EXPECT_EQ(body_size(3, buffer.bytes() - 3), 45u);

  EXPECT_TRUE(Batcher(BatchLimits{500, 45, 1s}).full(buffer));
  EXPECT_EQ(Batcher(BatchLimits{500, 45, 1s}).next_batch_size(buffer), 3u);
  EXPECT_FALSE(Batcher(BatchLimits{500, 46, 1s}).full(buffer));
  // One byte less: the third event (and its comma) no longer fits.
  EXPECT_TRUE(Batcher(BatchLimits{500, 44, 1s}).full(buffer));
  EXPECT_EQ(Batcher(BatchLimits{500, 44, 1s}).next_batch_size(buffer), 2u);
  // Exactly two events with their comma: 13 + 20 + 1.
  EXPECT_EQ(Batcher(BatchLimits{500, 34, 1s}).next_batch_size(buffer), 2u);
  EXPECT_EQ(Batcher(BatchLimits{500, 33, 1s}).next_batch_size(buffer), 1u);
}

TEST(Batcher, BacklogGoesOutInFullBatchesWithoutWaiting) {
  Batcher batcher(BatchLimits{500, 1 << 20, 1s});
  EncodedEvents buffer;
  for (int i = 0; i < 1200; ++i) push(buffer, "{}", t0);
  std::vector<std::size_t> sizes;
  while (batcher.due(buffer, t0)) {
    sizes.push_back(batcher.next_batch_size(buffer));
    buffer.pop_front(sizes.back());
  }
  EXPECT_EQ(sizes, (std::vector<std::size_t>{500, 500}));
  EXPECT_EQ(buffer.size(), 200u);  // the rest waits for the interval
  EXPECT_TRUE(batcher.due(buffer, t0 + 1s));
}

TEST(Batcher, AnEventTooLargeAloneStillFormsABatch) {
  EncodedEvents buffer;
  push(buffer, std::string(100, 'x'), t0);
  push(buffer, "y", t0);
  Batcher batcher(BatchLimits{500, 50, 1s});
  EXPECT_TRUE(batcher.full(buffer));
  EXPECT_EQ(batcher.next_batch_size(buffer), 1u);
}

}  // namespace
}  // namespace sluice::deliver
