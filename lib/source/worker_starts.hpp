#pragma once
// WorkerStarts: reads the decoded event stream for what the control
// broadcaster needs to know about workers: one just started (worker-online,
// the first heartbeat of a worker never seen, a heartbeat whose pid changed
// or whose `processed` counter went down: a restart), one has task events
// on (a task event from it, or its answer to a `heartbeat` broadcast, which
// sluiced always sends right after an enable_events), one left. Pure;
// remembers at most max_workers nodes.

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "decode/celery_event.hpp"
#include "track/event_kind.hpp"

namespace sluice::source {

enum class WorkerSignal { none, appeared, has_events, left };

class WorkerStarts {
 public:
  explicit WorkerStarts(std::size_t max_workers = 5000) : max_workers_(max_workers) {}

  // `node`: the event's hostname as the tracker keys it (truncated).
  WorkerSignal on_event(const decode::CeleryEvent& event, track::EventKind kind, std::string_view node);

  std::size_t known() const { return workers_.size(); }

 private:
  struct Seen {
    std::optional<long long> pid;
    std::optional<long long> processed;
  };
  struct NodeHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view node) const { return std::hash<std::string_view>{}(node); }
  };

  // The node's entry, made if there is room; nullptr when full.
  Seen* remember(std::string_view node, bool& is_new);

  std::size_t max_workers_;
  std::unordered_map<std::string, Seen, NodeHash, std::equal_to<>> workers_;
};

}  // namespace sluice::source
