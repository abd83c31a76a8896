#include "source/tracked_queues.hpp"

#include <iterator>

#include "track/limits.hpp"

namespace sluice::source {

NoteResult TrackedQueues::note(std::string_view name) {
  if (name.size() > track::limits::kQueue) return NoteResult::refused_too_long;
  std::string key(name);
  if (noted_.count(key) || bound_.count(key)) return NoteResult::known;
  if (size() >= max_) return NoteResult::refused_limit;
  noted_.insert(std::move(key));
  return NoteResult::added;
}

std::size_t TrackedQueues::replace_bound(std::set<std::string> bound) {
  std::size_t refused = 0;
  while (bound.size() > max_) {
    bound.erase(std::prev(bound.end()));
    ++refused;
  }
  bound_ = std::move(bound);
  for (auto it = noted_.begin(); it != noted_.end();) {
    it = bound_.count(*it) ? noted_.erase(it) : std::next(it);
  }
  while (size() > max_) {
    noted_.erase(noted_.begin());
    ++refused;
  }
  return refused;
}

void TrackedQueues::forget_if_noted(const std::string& name) { noted_.erase(name); }

std::vector<std::string> TrackedQueues::all() const {
  std::vector<std::string> out(bound_.begin(), bound_.end());
  out.insert(out.end(), noted_.begin(), noted_.end());
  return out;
}

}  // namespace sluice::source
