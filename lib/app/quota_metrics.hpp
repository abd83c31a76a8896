#pragma once
// The metrics that let a user predict the quota sluiced spends (README "What
// sluiced costs your quota"): ingest events by type and state, events the
// worker-state hold coalesced, worker refreshes, and ingest events per
// finished task. Read from the tracker's counters when /metrics is scraped.

#include <functional>

#include "observe/metrics.hpp"
#include "track/tracker.hpp"

namespace sluice::app {

// `queue_snapshots`: the snapshots produced so far (made outside the tracker).
void register_quota_metrics(observe::Metrics& metrics, const track::Tracker& tracker,
                            std::function<double()> queue_snapshots);

}  // namespace sluice::app
