#pragma once
// TrackedQueues: the queues whose depth the poller reads, bounded. Two
// sources: the binding sets (discovered by a scan; trusted as far as the
// broker is) and task-sent events (anyone who can publish names one). At
// most `max` together, bound ones first; a noted name longer than the
// contract's queue limit is refused, since cutting it would name another
// key. Refusals are returned for the caller to count.

#include <cstddef>
#include <set>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace sluice::source {

enum class NoteResult { added, known, refused_limit, refused_too_long };

class TrackedQueues {
 public:
  explicit TrackedQueues(std::size_t max) : max_(max) {}

  // A queue named by a task-sent event.
  NoteResult note(std::string_view name);
  // The result of a scan replaces the bound queues; returns how many names
  // were refused (bound ones beyond the limit, noted ones pushed out).
  std::size_t replace_bound(std::set<std::string> bound);
  // A noted queue read empty is forgotten: it is named again by its next
  // task-sent event.
  void forget_if_noted(const std::string& name);

  bool is_bound(const std::string& name) const { return bound_.count(name) > 0; }
  bool has_noted() const { return !noted_.empty(); }
  std::size_t size() const { return bound_.size() + noted_.size(); }
  std::size_t max() const { return max_; }
  // Bound queues (sorted), then noted ones.
  std::vector<std::string> all() const;

 private:
  std::size_t max_;
  std::set<std::string> bound_;
  std::unordered_set<std::string> noted_;  // never also bound
};

}  // namespace sluice::source
