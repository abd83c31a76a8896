#include "deliver/batch.hpp"

#include <gtest/gtest.h>

#include <set>

namespace sluice::deliver {
namespace {

EncodedEvents encoded(std::initializer_list<std::string_view> events) {
  EncodedEvents out;
  EventKey key = 0;
  for (const auto e : events) out.append(e, EventKind::job, ++key);
  return out;
}

TEST(Batch, BodyIsTheEventRangeInsideTheWrapper) {
  std::mt19937_64 rng(1);
  const EncodedEvents events = encoded({R"({"a":1})", R"({"b":2})", R"({"c":3})"});
  Batch batch(events, 1, 2, rng);
  EXPECT_EQ(batch.body(), R"({"events":[{"b":2},{"c":3}]})");
  EXPECT_EQ(batch.body_bytes(), batch.body().size());
  EXPECT_EQ(batch.idempotency_key().size(), 36u);
  ASSERT_EQ(batch.size(), 2u);
  EXPECT_EQ(batch.event(0), R"({"b":2})");
  EXPECT_EQ(batch.event(1), R"({"c":3})");
  EXPECT_EQ(batch.kind(1), EventKind::job);
}

TEST(Batch, BodySizeCountsWrapperAndCommas) {
  EXPECT_EQ(body_size(0, 0), std::string(R"({"events":[]})").size());
  EXPECT_EQ(body_size(1, 5), 13u + 5u);
  EXPECT_EQ(body_size(3, 30), 13u + 30u + 2u);
}

TEST(Batch, HalvesKeepOrderAndEachGetsANewKey) {
  std::mt19937_64 rng(2);
  const EncodedEvents events = encoded({"1", "2", "3", "4", "5"});
  Batch batch(events, 0, 5, rng);
  auto [first, second] = batch.halves(rng);
  EXPECT_EQ(first.events(), (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_EQ(second.events(), (std::vector<std::string>{"4", "5"}));
  EXPECT_EQ(first.body(), R"({"events":[1,2,3]})");
  EXPECT_EQ(second.body(), R"({"events":[4,5]})");
  auto [a, b] = second.halves(rng);
  EXPECT_EQ(a.body(), R"({"events":[4]})");
  EXPECT_EQ(b.body(), R"({"events":[5]})");
  std::set<std::string> keys{batch.idempotency_key(), first.idempotency_key(), second.idempotency_key()};
  EXPECT_EQ(keys.size(), 3u);
}

}  // namespace
}  // namespace sluice::deliver
