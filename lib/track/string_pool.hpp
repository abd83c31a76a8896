#pragma once
// StringPool: reference-counted interning of the few distinct strings that
// thousands of task records share (task names, queues, node names, routing
// keys), so a record holds 4-byte ids. A string is freed with its last user,
// which keeps the pool bounded by the task table however many names a broker
// sends.

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sluice::track {

class StringPool {
 public:
  using Id = std::uint32_t;  // 0 means "no string"

  // Adds a reference to `text`, interning it if new.
  Id acquire(std::string_view text);
  // Drops one reference; the string goes away with the last one. 0 is ignored.
  void release(Id id);
  // Points `slot` at `text`, moving its reference (no-op when unchanged).
  void assign(Id& slot, std::string_view text);

  std::string_view view(Id id) const;  // "" for 0
  std::optional<Id> find(std::string_view text) const;
  std::size_t size() const { return index_.size(); }
  // Every id ever handed out is below this.
  Id id_bound() const { return static_cast<Id>(entries_.size() + 1); }
  // Every live string with its id, in id order (table_snapshot.hpp).
  template <class Visit>
  void for_each(Visit&& visit) const {
    for (std::size_t i = 0; i < entries_.size(); ++i) {
      if (entries_[i].refs > 0) visit(static_cast<Id>(i + 1), std::string_view(entries_[i].text));
    }
  }

 private:
  struct Entry {
    std::string text;
    std::uint32_t refs = 0;
  };
  std::deque<Entry> entries_;  // entry of id N at N-1; a deque never moves them
  std::vector<Id> free_;
  std::unordered_map<std::string_view, Id> index_;  // views into entries_
};

}  // namespace sluice::track
