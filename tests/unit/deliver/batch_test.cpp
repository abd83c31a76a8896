#include "deliver/batch.hpp"

#include <gtest/gtest.h>

#include <set>

namespace sluice::deliver {
namespace {

TEST(Batch, BodyWrapsEventsWithCommas) {
  std::mt19937_64 rng(1);
  Batch batch = make_batch({R"({"a":1})", R"({"b":2})"}, rng);
  EXPECT_EQ(batch.body(), R"({"events":[{"a":1},{"b":2}]})");
  EXPECT_EQ(batch.body_bytes(), batch.body().size());
  EXPECT_EQ(batch.idempotency_key.size(), 36u);
}

TEST(Batch, BodySizeCountsWrapperAndCommas) {
  EXPECT_EQ(body_size(0, 0), std::string(R"({"events":[]})").size());
  EXPECT_EQ(body_size(1, 5), 13u + 5u);
  EXPECT_EQ(body_size(3, 30), 13u + 30u + 2u);
}

TEST(Batch, SplitKeepsOrderAndGivesEachHalfANewKey) {
  std::mt19937_64 rng(2);
  Batch batch = make_batch({"1", "2", "3", "4", "5"}, rng);
  auto [first, second] = split_in_halves(batch, rng);
  EXPECT_EQ(first.events, (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_EQ(second.events, (std::vector<std::string>{"4", "5"}));
  std::set<std::string> keys{batch.idempotency_key, first.idempotency_key, second.idempotency_key};
  EXPECT_EQ(keys.size(), 3u);
}

}  // namespace
}  // namespace sluice::deliver
