#pragma once
// ResendRing: what a standby of an HA pair produced lately, encoded, so that
// at takeover it can send what the old leader may not have delivered. It
// keeps the events of the last `window` (the lease plus one flush interval:
// the old leader held its last batch that long before sending), bounded by
// count and bytes; beyond a bound the oldest go first, and the caller
// counts them. The ingest API deduplicates what the old leader did deliver.

#include <chrono>
#include <cstddef>
#include <functional>
#include <string_view>

#include "common/duration.hpp"
#include "deliver/encoded_events.hpp"
#include "deliver/ingest_json.hpp"
#include "track/ingest_event.hpp"

namespace sluice::app {

class ResendRing {
 public:
  using Clock = std::chrono::steady_clock;
  using Replay = std::function<void(std::string_view json, deliver::EventKind kind, deliver::EventKey key)>;

  ResendRing(Duration window, std::size_t max_events, std::size_t max_bytes);

  // Keeps the event produced at `now`; returns how many older events the
  // count and byte bounds pushed out (what falls out of the window is not
  // counted: it is past the re-send anyway).
  std::size_t keep(const track::IngestEvent& event, const deliver::IngestJsonContext& context, Clock::time_point now);
  // Hands every event still within the window at `now` to `replay`, oldest
  // first, and empties the ring; returns how many it handed.
  std::size_t replay(Clock::time_point now, const Replay& replay);
  void clear() { events_.clear(); }

  std::size_t size() const { return events_.size(); }
  std::size_t bytes() const { return events_.bytes(); }

 private:
  void expire(Clock::time_point now);

  Duration window_;
  std::size_t max_events_;
  std::size_t max_bytes_;
  deliver::EncodedEvents events_;
};

}  // namespace sluice::app
