#include "track/task_table.hpp"

#include <cstring>

namespace sluice::track {
namespace {

std::uint64_t mix(std::uint64_t x) {  // splitmix64 finaliser
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ULL;
  x ^= x >> 27;
  x *= 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

}  // namespace

TaskTable::TaskTable(std::size_t capacity) : capacity_(capacity < 1 ? 1 : capacity) {}

std::optional<TaskTable::Key> TaskTable::key_of(std::string_view uuid) const {
  if (auto bytes = parse_canonical_uuid(uuid)) return Key{*bytes, false};
  if (auto id = strings_.find(uuid)) return Key{pooled_bytes(*id), true};
  return std::nullopt;
}

std::uint64_t TaskTable::hash(const Key& key) {
  std::uint64_t a = 0;
  std::uint64_t b = 0;
  std::memcpy(&a, key.bytes.data(), 8);
  std::memcpy(&b, key.bytes.data() + 8, 8);
  return mix(a ^ mix(b) ^ (key.pooled ? 0x5bd1e995ULL : 0));
}

bool TaskTable::matches(std::uint32_t slot, const Key& key) const {
  const TaskRecord& record = at(slot);
  return (record.id_kind == RefKind::pooled) == key.pooled && record.id == key.bytes;
}

TaskRecord& TaskTable::at(std::uint32_t slot) { return records_[slot]; }

const TaskRecord& TaskTable::at(std::uint32_t slot) const { return records_[slot]; }

std::uint32_t TaskTable::lookup(const Key& key) const {
  if (buckets_.empty()) return kNil;
  const std::size_t mask = buckets_.size() - 1;
  for (std::size_t i = hash(key) & mask; buckets_[i] != 0; i = (i + 1) & mask) {
    if (matches(buckets_[i] - 1, key)) return buckets_[i] - 1;
  }
  return kNil;
}

TaskRecord* TaskTable::find(std::string_view uuid) {
  auto key = key_of(uuid);
  if (!key) return nullptr;
  const std::uint32_t slot = lookup(*key);
  if (slot == kNil) return nullptr;
  unlink(slot);
  push_front(slot);
  return &at(slot);
}

const TaskRecord* TaskTable::peek(std::string_view uuid) const {
  auto key = key_of(uuid);
  if (!key) return nullptr;
  const std::uint32_t slot = lookup(*key);
  return slot == kNil ? nullptr : &at(slot);
}

TaskRecord& TaskTable::find_or_insert(std::string_view uuid) {
  const auto key = key_of(uuid);
  if (key) {
    if (const std::uint32_t found = lookup(*key); found != kNil) {
      unlink(found);
      push_front(found);
      return at(found);
    }
  }
  const std::uint32_t slot = take_slot();
  TaskRecord& record = at(slot);
  record = TaskRecord{};
  if (key && !key->pooled) {
    record.id = key->bytes;
    record.id_kind = RefKind::uuid;
  } else {
    record.id = pooled_bytes(strings_.acquire(uuid));
    record.id_kind = RefKind::pooled;
  }
  index_insert(slot);
  push_front(slot);
  ++size_;
  return record;
}

std::string TaskTable::external_id(const TaskRecord& record) const {
  return load_ref(record.id_kind, record.id, strings_, {});
}

const TaskExtras& TaskTable::extras(const TaskRecord& record) const {
  static constexpr TaskExtras kNone{};
  return record.extras == 0 ? kNone : extras_[record.extras - 1];
}

TaskExtras& TaskTable::ensure_extras(TaskRecord& record) {
  if (record.extras == 0) record.extras = take_extras_slot() + 1;
  return extras_[record.extras - 1];
}

// A freed slot first, so the extras stay bounded by the live records that
// need them however many tasks with an ETA pass through the table.
std::uint32_t TaskTable::take_extras_slot() {
  std::uint32_t slot = 0;
  if (!free_extras_.empty()) {
    slot = free_extras_.back();
    free_extras_.pop_back();
  } else {
    slot = extras_taken_++;
    extras_.make_room_for(slot);
  }
  extras_[slot] = TaskExtras{};
  return slot;
}

void TaskTable::release_extras(TaskRecord& record) {
  if (record.extras == 0) return;
  const TaskExtras& extras = extras_[record.extras - 1];
  release_ref(record.parent_kind, extras.parent, strings_);
  release_ref(record.root_kind, extras.root, strings_);
  free_extras_.push_back(record.extras - 1);
  record.extras = 0;
}

std::uint32_t TaskTable::take_slot() {
  if (size_ == capacity_) {
    const std::uint32_t victim = tail_;
    evict(victim);
    return victim;
  }
  const auto slot = static_cast<std::uint32_t>(size_);
  records_.make_room_for(slot);
  return slot;
}

void TaskTable::evict(std::uint32_t slot) {
  TaskRecord& record = at(slot);
  index_erase(slot);
  unlink(slot);
  for (StringPool::Id id : {record.name, record.queue, record.worker, record.exchange, record.routing_key}) {
    strings_.release(id);
  }
  release_ref(record.id_kind, record.id, strings_);
  release_extras(record);
  --size_;
  ++evictions_;
}

void TaskTable::index_insert(std::uint32_t slot) {
  if ((size_ + 1) * 4 > buckets_.size() * 3) grow_index();
  const std::size_t mask = buckets_.size() - 1;
  const Key key{at(slot).id, at(slot).id_kind == RefKind::pooled};
  std::size_t i = hash(key) & mask;
  while (buckets_[i] != 0) i = (i + 1) & mask;
  buckets_[i] = slot + 1;
}

// Linear probing with backward-shift deletion: no tombstones, so lookups
// stay short however many tasks come and go.
void TaskTable::index_erase(std::uint32_t slot) {
  const std::size_t mask = buckets_.size() - 1;
  const TaskRecord& record = at(slot);
  std::size_t hole = hash(Key{record.id, record.id_kind == RefKind::pooled}) & mask;
  while (buckets_[hole] != slot + 1) hole = (hole + 1) & mask;
  for (std::size_t j = (hole + 1) & mask; buckets_[j] != 0; j = (j + 1) & mask) {
    const TaskRecord& other = at(buckets_[j] - 1);
    const std::size_t home = hash(Key{other.id, other.id_kind == RefKind::pooled}) & mask;
    // Move the entry into the hole unless its home lies cyclically in (hole, j].
    const bool stays = hole < j ? (home > hole && home <= j) : (home > hole || home <= j);
    if (stays) continue;
    buckets_[hole] = buckets_[j];
    hole = j;
  }
  buckets_[hole] = 0;
}

void TaskTable::grow_index() {
  std::vector<std::uint32_t> old = std::move(buckets_);
  buckets_.assign(old.empty() ? 16 : old.size() * 2, 0);
  const std::size_t mask = buckets_.size() - 1;
  for (std::uint32_t entry : old) {
    if (entry == 0) continue;
    const TaskRecord& record = at(entry - 1);
    std::size_t i = hash(Key{record.id, record.id_kind == RefKind::pooled}) & mask;
    while (buckets_[i] != 0) i = (i + 1) & mask;
    buckets_[i] = entry;
  }
}

void TaskTable::unlink(std::uint32_t slot) {
  TaskRecord& record = at(slot);
  if (record.lru_prev != kNil) at(record.lru_prev).lru_next = record.lru_next;
  if (record.lru_next != kNil) at(record.lru_next).lru_prev = record.lru_prev;
  if (head_ == slot) head_ = record.lru_next;
  if (tail_ == slot) tail_ = record.lru_prev;
  record.lru_prev = record.lru_next = kNil;
}

void TaskTable::push_front(std::uint32_t slot) {
  TaskRecord& record = at(slot);
  record.lru_prev = kNil;
  record.lru_next = head_;
  if (head_ != kNil) at(head_).lru_prev = slot;
  head_ = slot;
  if (tail_ == kNil) tail_ = slot;
}

}  // namespace sluice::track
