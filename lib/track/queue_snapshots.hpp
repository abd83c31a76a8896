#pragma once
// QueueSnapshots: when a queue's depth becomes a `queue_snapshot` event —
// on every change, at least once per refresh interval, and once more with
// depth 0 when the queue disappears (then it is forgotten; no second 0 when
// the last snapshot already said 0). A queue only named by a task-sent event
// is reported once it holds messages: a name whose list never existed costs
// no event. Names are cut to the contract's limit. Time is given.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "track/ingest_event.hpp"

namespace sluice::track {

// One queue as read by a poll; no depth when it exists but could not be read.
struct QueueReading {
  std::string name;
  std::optional<long long> depth;
  // Bound to an exchange or listed in the settings: a queue even while
  // empty. False for a name only seen in task-sent events.
  bool listed = true;
};

class QueueSnapshots {
 public:
  explicit QueueSnapshots(EpochMillis refresh_interval_ms) : refresh_ms_(refresh_interval_ms) {}

  // `readings` lists every queue that exists now; a known queue missing from
  // it has disappeared. `now` (epoch ms, the time of reading) stamps the events.
  std::vector<IngestEvent> on_poll(const std::vector<QueueReading>& readings, EpochMillis now);

  std::size_t known() const { return queues_.size(); }
  // The queues (names as sent) the last on_poll() forgot, with or without a
  // final snapshot.
  const std::vector<std::string>& forgotten() const { return forgotten_; }

 private:
  struct Sent {
    long long depth = 0;
    EpochMillis at = 0;
  };

  EpochMillis refresh_ms_;
  std::map<std::string, Sent, std::less<>> queues_;  // by name as sent
  std::vector<std::string> forgotten_;
};

}  // namespace sluice::track
