#pragma once
// TaskTable: the bounded LRU of TaskRecords keyed by task uuid (default
// 100 000, Settings::task_table_size). Records live in fixed chunks and are
// found through an open-addressing index of 4-byte slots, so a tracked task
// costs about 83 bytes (72 of record), plus a 48-byte TaskExtras for the few
// tasks with a parent, a foreign root, an ETA or an expiry. The least
// recently used record is evicted when full, and its extras with it.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "track/chunked_slots.hpp"
#include "track/string_pool.hpp"
#include "track/task_record.hpp"

namespace sluice::track {

class TaskTable {
 public:
  explicit TaskTable(std::size_t capacity);

  // The record of `uuid`, now the most recently used; null when unknown.
  TaskRecord* find(std::string_view uuid);
  // As find(), without touching the LRU order.
  const TaskRecord* peek(std::string_view uuid) const;
  // find(), or a fresh record (evicting the least recently used if full).
  TaskRecord& find_or_insert(std::string_view uuid);

  std::string external_id(const TaskRecord& record) const;

  // The parent, root, ETA and expiry of `record`: its own TaskExtras, or an
  // empty one (no times, no bytes) when it never needed any.
  const TaskExtras& extras(const TaskRecord& record) const;
  // The TaskExtras of `record`, allocated empty on first use; it stays at
  // the same address until the record is evicted. Call it only to store
  // something, so that plain tasks keep costing no extras.
  TaskExtras& ensure_extras(TaskRecord& record);
  std::size_t extras_in_use() const { return extras_taken_ - free_extras_.size(); }

  // Records by slot, 0 .. size()-1, all live (a full table reuses the
  // evicted slot): for scans over every task without touching the LRU.
  TaskRecord& record_at(std::uint32_t slot) { return at(slot); }
  // Every record, least recently used first: inserting them again in this
  // order gives back the same LRU order (table_snapshot.hpp).
  template <class Visit>
  void for_each_oldest_first(Visit&& visit) const {
    for (std::uint32_t slot = tail_; slot != kNil; slot = at(slot).lru_prev) visit(at(slot));
  }

  StringPool& strings() { return strings_; }
  const StringPool& strings() const { return strings_; }
  std::size_t size() const { return size_; }
  std::size_t capacity() const { return capacity_; }
  std::uint64_t evictions() const { return evictions_; }

 private:
  struct Key {
    UuidBytes bytes{};
    bool pooled = false;
  };
  static constexpr std::uint32_t kNil = 0xFFFFFFFF;

  std::optional<Key> key_of(std::string_view uuid) const;
  std::uint32_t lookup(const Key& key) const;  // slot or kNil
  static std::uint64_t hash(const Key& key);
  bool matches(std::uint32_t slot, const Key& key) const;

  TaskRecord& at(std::uint32_t slot);
  const TaskRecord& at(std::uint32_t slot) const;
  std::uint32_t take_slot();
  void evict(std::uint32_t slot);
  void index_insert(std::uint32_t slot);
  void index_erase(std::uint32_t slot);
  void grow_index();
  void unlink(std::uint32_t slot);
  void push_front(std::uint32_t slot);

  std::uint32_t take_extras_slot();
  void release_extras(TaskRecord& record);

  std::size_t capacity_;
  std::size_t size_ = 0;
  std::uint64_t evictions_ = 0;
  ChunkedSlots<TaskRecord> records_;
  std::vector<std::uint32_t> buckets_;  // slot + 1, 0 = empty
  std::uint32_t head_ = kNil;           // most recently used
  std::uint32_t tail_ = kNil;           // least recently used
  // TaskExtras in chunks too (addresses never move), reusing freed slots.
  ChunkedSlots<TaskExtras> extras_;
  std::vector<std::uint32_t> free_extras_;
  std::uint32_t extras_taken_ = 0;  // slots ever handed out, free or not
  StringPool strings_;
};

}  // namespace sluice::track
