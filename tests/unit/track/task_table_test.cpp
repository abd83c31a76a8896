#include "track/task_table.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <vector>

#include "event_builders.hpp"

namespace sluice::track {
namespace {

std::string uuid_for(int n) {
  char text[40];
  std::snprintf(text, sizeof text, "00000000-0000-4000-8000-%012d", n);
  return text;
}

TEST(TaskTable, FindsWhatItInserted) {
  TaskTable table(10);
  TaskRecord& record = table.find_or_insert(testing::kTask);
  record.attempt = 3;
  EXPECT_EQ(table.size(), 1u);
  ASSERT_NE(table.find(testing::kTask), nullptr);
  EXPECT_EQ(table.find(testing::kTask)->attempt, 3);
  EXPECT_EQ(table.external_id(*table.find(testing::kTask)), testing::kTask);
  EXPECT_EQ(table.find(testing::kOtherTask), nullptr);
  EXPECT_EQ(&table.find_or_insert(testing::kTask), &record);
}

TEST(TaskTable, KeepsNonCanonicalIdsVerbatim) {
  TaskTable table(10);
  for (const char* id : {"my-task-1", "3BD8CD07-AA10-4FCD-95BC-957322EFC078", ""}) {
    table.find_or_insert(id).attempt = 7;
    ASSERT_NE(table.peek(id), nullptr) << id;
    EXPECT_EQ(table.external_id(*table.peek(id)), id);
  }
  EXPECT_EQ(table.peek(testing::kTask), nullptr);  // the upper-case one is a different id
}

TEST(TaskTable, EvictsTheLeastRecentlyUsed) {
  TaskTable table(3);
  for (int n = 0; n < 3; ++n) table.find_or_insert(uuid_for(n));
  table.find(uuid_for(0));  // now the most recent
  table.find_or_insert(uuid_for(3));
  EXPECT_EQ(table.size(), 3u);
  EXPECT_EQ(table.evictions(), 1u);
  EXPECT_NE(table.peek(uuid_for(0)), nullptr);
  EXPECT_EQ(table.peek(uuid_for(1)), nullptr);
  EXPECT_NE(table.peek(uuid_for(2)), nullptr);
  EXPECT_NE(table.peek(uuid_for(3)), nullptr);
}

TEST(TaskTable, EvictionReleasesPooledStrings) {
  TaskTable table(1);
  TaskRecord& first = table.find_or_insert("odd-id");
  table.strings().assign(first.name, "app.only_here");
  table.find_or_insert(testing::kTask);
  EXPECT_FALSE(table.strings().find("app.only_here").has_value());
  EXPECT_FALSE(table.strings().find("odd-id").has_value());
  EXPECT_EQ(table.strings().size(), 0u);
}

// The recency order the table should keep: a touched id becomes the newest;
// beyond the capacity the oldest goes, and touch() says which.
class LruModel {
 public:
  explicit LruModel(std::size_t capacity) : capacity_(capacity) {}

  std::optional<int> touch(int id) {
    if (auto pos = std::find(order_.begin(), order_.end(), id); pos != order_.end()) order_.erase(pos);
    order_.push_back(id);
    if (order_.size() <= capacity_) return std::nullopt;
    const int evicted = order_.front();
    order_.erase(order_.begin());
    return evicted;
  }

 private:
  std::size_t capacity_;
  std::vector<int> order_;  // oldest first
};

// Random churn against a std::map model: the index never loses a record.
TEST(TaskTable, MatchesAModelUnderChurn) {
  constexpr std::size_t kCapacity = 200;
  TaskTable table(kCapacity);
  std::map<int, std::uint16_t> live;  // id -> attempt, limited to the newest kCapacity
  LruModel recency(kCapacity);
  std::mt19937 rng(7);
  for (int step = 0; step < 20'000; ++step) {
    const int id = static_cast<int>(rng() % 600);
    if (const auto evicted = recency.touch(id)) live.erase(*evicted);
    const auto attempt = static_cast<std::uint16_t>(step % 1000 + 1);
    table.find_or_insert(uuid_for(id)).attempt = attempt;
    live[id] = attempt;
  }
  EXPECT_EQ(table.size(), live.size());
  for (int id = 0; id < 600; ++id) {
    const TaskRecord* record = table.peek(uuid_for(id));
    auto it = live.find(id);
    ASSERT_EQ(record != nullptr, it != live.end()) << id;
    if (record) {
      EXPECT_EQ(record->attempt, it->second);
    }
  }
}

TEST(TaskTable, APlainRecordHasNoExtras) {
  TaskTable table(10);
  const TaskRecord& record = table.find_or_insert(testing::kTask);
  EXPECT_EQ(record.extras, 0u);
  EXPECT_EQ(table.extras_in_use(), 0u);
  EXPECT_EQ(table.extras(record).eta_ms, kNoTime);  // reads as "no extras"
  EXPECT_EQ(table.extras(record).expires_ms, kNoTime);
}

TEST(TaskTable, ExtrasAreMadeOnceAndStayWithTheirRecord) {
  TaskTable table(10);
  TaskExtras& first = table.ensure_extras(table.find_or_insert(uuid_for(1)));
  first.eta_ms = 5;
  table.ensure_extras(table.find_or_insert(uuid_for(2))).expires_ms = 7;
  table.find_or_insert(uuid_for(3));
  EXPECT_EQ(&table.ensure_extras(*table.find(uuid_for(1))), &first);
  EXPECT_EQ(table.extras_in_use(), 2u);
  EXPECT_EQ(table.extras(*table.peek(uuid_for(1))).eta_ms, 5);
  EXPECT_EQ(table.extras(*table.peek(uuid_for(1))).expires_ms, kNoTime);
  EXPECT_EQ(table.extras(*table.peek(uuid_for(2))).eta_ms, kNoTime);
  EXPECT_EQ(table.extras(*table.peek(uuid_for(2))).expires_ms, 7);
  EXPECT_EQ(table.peek(uuid_for(3))->extras, 0u);
}

TEST(TaskTable, EvictionReleasesExtrasAndTheirStrings) {
  TaskTable table(1);
  StringPool& pool = table.strings();
  const std::size_t strings_before = pool.size();
  TaskRecord& first = table.find_or_insert(testing::kTask);
  TaskExtras& extras = table.ensure_extras(first);
  first.parent_kind = store_ref("parent-not-a-uuid", testing::kTask, extras.parent, pool);
  first.root_kind = store_ref("root-not-a-uuid", testing::kTask, extras.root, pool);
  extras.eta_ms = 1;
  extras.expires_ms = 2;
  ASSERT_EQ(pool.size(), strings_before + 2);
  ASSERT_EQ(table.extras_in_use(), 1u);

  TaskRecord& second = table.find_or_insert(testing::kOtherTask);  // evicts the first
  EXPECT_EQ(pool.size(), strings_before);
  EXPECT_FALSE(pool.find("parent-not-a-uuid").has_value());
  EXPECT_FALSE(pool.find("root-not-a-uuid").has_value());
  EXPECT_EQ(table.extras_in_use(), 0u);
  EXPECT_EQ(second.extras, 0u);
  // The freed slot comes back empty.
  const TaskExtras& reused = table.ensure_extras(second);
  EXPECT_EQ(&reused, &extras);
  EXPECT_EQ(reused.parent, UuidBytes{});
  EXPECT_EQ(reused.root, UuidBytes{});
  EXPECT_EQ(reused.eta_ms, kNoTime);
  EXPECT_EQ(reused.expires_ms, kNoTime);
}

// Every task with an ETA, many more than fit: evicted records give their
// slot to the next, so no more extras exist than records.
TEST(TaskTable, ExtrasSlotsAreReusedPastCapacity) {
  constexpr std::size_t kCapacity = 8;
  TaskTable table(kCapacity);
  std::set<const TaskExtras*> slots;
  for (int n = 0; n < 5000; ++n) {
    TaskExtras& extras = table.ensure_extras(table.find_or_insert(uuid_for(n)));
    extras.eta_ms = n;
    slots.insert(&extras);
    ASSERT_LE(table.extras_in_use(), kCapacity) << n;
  }
  EXPECT_EQ(table.extras_in_use(), kCapacity);
  EXPECT_EQ(slots.size(), kCapacity);
  for (int n = 5000 - static_cast<int>(kCapacity); n < 5000; ++n) {
    ASSERT_NE(table.peek(uuid_for(n)), nullptr) << n;
    EXPECT_EQ(table.extras(*table.peek(uuid_for(n))).eta_ms, n);
  }
}

// Random churn where some tasks get extras: no two live records ever share
// a slot, and the count matches the records that asked for one.
TEST(TaskTable, ExtrasMatchAModelUnderChurn) {
  constexpr std::size_t kCapacity = 200;
  TaskTable table(kCapacity);
  std::map<int, EpochMillis> eta;  // live id -> its ETA (kNoTime: no extras)
  LruModel recency(kCapacity);
  std::mt19937 rng(11);
  for (int step = 0; step < 20'000; ++step) {
    const int id = static_cast<int>(rng() % 600);
    if (const auto evicted = recency.touch(id)) eta.erase(*evicted);
    TaskRecord& record = table.find_or_insert(uuid_for(id));
    eta.try_emplace(id, kNoTime);
    if (rng() % 3 == 0) eta[id] = table.ensure_extras(record).eta_ms = step;
  }
  std::size_t with_extras = 0;
  for (const auto& [id, expected] : eta) {
    const TaskRecord* record = table.peek(uuid_for(id));
    ASSERT_NE(record, nullptr) << id;
    EXPECT_EQ(table.extras(*record).eta_ms, expected) << id;
    EXPECT_EQ(record->extras != 0, expected != kNoTime) << id;
    if (expected != kNoTime) ++with_extras;
  }
  EXPECT_EQ(table.extras_in_use(), with_extras);
}

TEST(StringPool, CountsReferences) {
  StringPool pool;
  const auto a = pool.acquire("fixture.add");
  EXPECT_EQ(pool.acquire("fixture.add"), a);
  pool.release(a);
  EXPECT_EQ(pool.view(a), "fixture.add");
  pool.release(a);
  EXPECT_FALSE(pool.find("fixture.add").has_value());
  StringPool::Id slot = 0;
  pool.assign(slot, "q1");
  pool.assign(slot, "q2");
  EXPECT_EQ(pool.view(slot), "q2");
  EXPECT_EQ(pool.size(), 1u);
}

TEST(TaskRecordSize, StaysSmall) {
  EXPECT_LE(sizeof(TaskRecord), 72u);
  EXPECT_LE(sizeof(TaskExtras), 48u);
}

}  // namespace
}  // namespace sluice::track

namespace sluice::track {
namespace {

TEST(CanonicalUuid, ParsesOnlyLowerCaseCanonicalText) {
  const auto bytes = parse_canonical_uuid("3bd8cd07-aa10-4fcd-95bc-957322efc078");
  ASSERT_TRUE(bytes.has_value());
  EXPECT_EQ((*bytes)[0], 0x3b);
  EXPECT_EQ((*bytes)[15], 0x78);
  std::string text;
  append_uuid(text, *bytes);
  EXPECT_EQ(text, "3bd8cd07-aa10-4fcd-95bc-957322efc078");
  for (const char* bad : {"3BD8CD07-AA10-4FCD-95BC-957322EFC078", "3bd8cd07aa10-4fcd-95bc-957322efc078-",
                          "3bd8cd07-aa10-4fcd-95bc-957322efc07", "3bd8cd07-aa10-4fcd-95bc-957322efc0g8",
                          "3bd8cd07-aa10-4fcd-95bc_957322efc078", ""}) {
    EXPECT_FALSE(parse_canonical_uuid(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace sluice::track
