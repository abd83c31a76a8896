#include "track/string_pool.hpp"

namespace sluice::track {

StringPool::Id StringPool::acquire(std::string_view text) {
  if (auto it = index_.find(text); it != index_.end()) {
    ++entries_[it->second - 1].refs;
    return it->second;
  }
  Id id = 0;
  if (free_.empty()) {
    entries_.push_back({});
    id = static_cast<Id>(entries_.size());
  } else {
    id = free_.back();
    free_.pop_back();
  }
  Entry& entry = entries_[id - 1];
  entry.text.assign(text);
  entry.refs = 1;
  index_.emplace(entry.text, id);
  return id;
}

void StringPool::release(Id id) {
  if (id == 0) return;
  Entry& entry = entries_[id - 1];
  if (--entry.refs > 0) return;
  index_.erase(entry.text);
  std::string().swap(entry.text);
  free_.push_back(id);
}

void StringPool::assign(Id& slot, std::string_view text) {
  if (slot != 0 && view(slot) == text) return;
  const Id next = acquire(text);
  release(slot);
  slot = next;
}

std::string_view StringPool::view(Id id) const {
  if (id == 0) return {};
  return entries_[id - 1].text;
}

std::optional<StringPool::Id> StringPool::find(std::string_view text) const {
  auto it = index_.find(text);
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

}  // namespace sluice::track
