#include "app/quota_metrics.hpp"

#include <string>

#include "deliver/delivery_notes.hpp"

namespace sluice::app {
namespace {

constexpr const char* kByStateHelp = "Ingest events produced, by type and the state they carry";

// Final job states: what a user counts as a finished task.
constexpr track::JobState kFinal[] = {track::JobState::completed, track::JobState::failed,
                                      track::JobState::cancelled};

double finished_tasks(const track::TrackerCounters& counters) {
  double n = 0;
  for (auto state : kFinal) n += static_cast<double>(counters.job_events_by_state[static_cast<std::size_t>(state)]);
  return n;
}

}  // namespace

void register_quota_metrics(observe::Metrics& metrics, const track::Tracker& tracker,
                            std::function<double()> queue_snapshots) {
  const track::Tracker* t = &tracker;
  for (std::size_t i = 0; i < track::kJobStateCount; ++i) {
    metrics.counter_callback(
        "sluiced_ingest_events_by_state_total", kByStateHelp,
        {{"type", "job_state_change"}, {"state", track::to_string(static_cast<track::JobState>(i))}},
        [t, i] { return static_cast<double>(t->counters().job_events_by_state[i]); });
  }
  for (std::size_t i = 0; i < track::kWorkerStateCount; ++i) {
    metrics.counter_callback(
        "sluiced_ingest_events_by_state_total", kByStateHelp,
        {{"type", "worker_state_change"}, {"state", track::to_string(static_cast<track::WorkerState>(i))}},
        [t, i] { return static_cast<double>(t->counters().worker_events_by_state[i]); });
  }
  metrics.counter_callback("sluiced_worker_refresh_events_total",
                           "worker_state_change events that repeated an unchanged state (refreshes)", {},
                           [t] { return static_cast<double>(t->counters().worker_refreshes); });
  metrics.counter_callback(deliver::kCoalesced, deliver::kCoalescedHelp, {{"reason", "worker_state_hold"}},
                           [t] { return static_cast<double>(t->counters().worker_changes_coalesced); });
  // Since start; for a window, divide the two counters' rates (README).
  metrics.gauge_callback(
      "sluiced_ingest_events_per_finished_task",
      "Ingest events produced (all types) per task that reached a final state, since start (0 before the first)",
      {}, [t, queue_snapshots = std::move(queue_snapshots)] {
        const auto counters = t->counters();
        const double finished = finished_tasks(counters);
        if (finished == 0) return 0.0;
        const double events =
            static_cast<double>(counters.job_events + counters.worker_events) + queue_snapshots();
        return events / finished;
      });
}

}  // namespace sluice::app
