#pragma once
// QueueSnapshots: when a queue's depth becomes a `queue_snapshot` event —
// on every change, at least once per refresh interval, and once more with
// depth 0 when the queue disappears (then it is forgotten). Time is given.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "track/ingest_event.hpp"

namespace sluice::track {

// One queue as read by a poll; no depth when it exists but could not be read.
struct QueueReading {
  std::string name;
  std::optional<long long> depth;
};

class QueueSnapshots {
 public:
  explicit QueueSnapshots(EpochMillis refresh_interval_ms) : refresh_ms_(refresh_interval_ms) {}

  // `readings` lists every queue that exists now; a known queue missing from
  // it has disappeared. `now` (epoch ms, the time of reading) stamps the events.
  std::vector<IngestEvent> on_poll(const std::vector<QueueReading>& readings, EpochMillis now);

  std::size_t known() const { return queues_.size(); }

 private:
  struct Sent {
    long long depth = 0;
    EpochMillis at = 0;
  };

  EpochMillis refresh_ms_;
  std::map<std::string, Sent> queues_;
};

}  // namespace sluice::track
