#include "deliver/spool/spool_notes.hpp"

namespace sluice::deliver::spool {
namespace {
using observe::Level;
constexpr char kDropped[] = "sluiced_events_dropped_total";
constexpr char kDroppedHelp[] = "Events that will never be delivered, by reason";
}  // namespace

SpoolNotes::SpoolNotes(observe::Metrics& metrics, observe::Logger& log)
    : log_(log),
      bytes_(metrics.gauge("sluiced_spool_bytes", "Bytes of the spool's segment files")),
      max_bytes_(metrics.gauge("sluiced_spool_max_bytes", "The spool's byte bound (SLUICE_SPOOL_MAX_BYTES)")),
      events_(metrics.gauge("sluiced_spool_events", "Events in the spool not yet acknowledged by the API")),
      oldest_age_(metrics.gauge("sluiced_spool_oldest_event_age_seconds",
                                "Age of the oldest spool segment holding unacknowledged events")),
      degraded_(metrics.gauge("sluiced_spool_degraded",
                              "1 while the spool directory cannot be written (events wait in memory)")),
      corrupt_(metrics.counter("sluiced_spool_corrupt_records_total",
                               "Damaged spool records (or stretches) skipped when reading back")),
      replayed_(metrics.counter("sluiced_spool_replayed_events_total",
                                "Events of a previous run read back from the spool")),
      write_errors_(metrics.counter("sluiced_spool_write_errors_total",
                                    "Times the spool could not be written and delivery went on in memory")),
      dropped_overflow_(metrics.counter(kDropped, kDroppedHelp, {{"reason", "overflow"}})),
      dropped_lost_(metrics.counter(kDropped, kDroppedHelp, {{"reason", "spool_lost"}})),
      sync_duration_(metrics.histogram("sluiced_spool_sync_duration_seconds", "Time of one fdatasync of the spool",
                                       {0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5})) {}

void SpoolNotes::note_recovery(const SpoolRecovery& recovery, const std::string& dir) {
  if (recovery.events > 0) {
    log_.log(Level::info, "spool: events of the previous run will be sent first",
             {{"events", std::to_string(recovery.events)}, {"segments", std::to_string(recovery.segments)},
              {"bytes", std::to_string(recovery.bytes)}, {"dir", dir}});
  }
  if (!recovery.clean) {
    log_.log(Level::warn,
             "spool: the previous run did not stop cleanly (killed or crashed); what it accepted in its last "
             "sync interval may be lost",
             {{"at_most_events", std::to_string(recovery.last_sync_interval_events)}});
  }
  if (recovery.damaged_records > 0) {
    log_.log(Level::warn, "spool: damaged records skipped", {{"records", std::to_string(recovery.damaged_records)}});
  }
  if (recovery.skipped_segments > 0) {
    log_.log(Level::warn, "spool: segment files skipped",
             {{"segments", std::to_string(recovery.skipped_segments)}, {"details", recovery.notes}});
  }
}

void SpoolNotes::note_state(Spool& spool, std::uint64_t memory_tail_dropped) {
  const SpoolDrops drops = spool.take_drops();
  dropped_overflow_.inc(drops.overflow + memory_tail_dropped);
  dropped_lost_.inc(drops.lost);
  corrupt_.inc(spool.take_damaged());
  replayed_.inc(spool.take_replayed());
  if (auto sync = spool.take_sync_duration()) sync_duration_.observe(sync->count());
  if (drops.lost > 0) {
    log_.log(Level::warn, "spool: unread events could not be read back", {{"events", std::to_string(drops.lost)}});
  }
  write_errors_.inc(spool.take_failures());
  if (spool.degraded() != was_degraded_) {
    was_degraded_ = spool.degraded();
    if (was_degraded_) {
      log_.log(Level::warn, "spool unavailable: events wait in memory until the disk is back",
               {{"problem", spool.problem()}});
    } else {
      log_.log(Level::info, "spool writable again");
    }
  }
  SpoolStatus status{spool.degraded(), spool.problem(), spool.bytes(), spool.max_bytes(), spool.events()};
  bytes_.set(static_cast<double>(status.bytes));
  max_bytes_.set(static_cast<double>(status.max_bytes));
  events_.set(static_cast<double>(status.events));
  degraded_.set(status.degraded ? 1.0 : 0.0);
  const auto oldest = spool.oldest();
  oldest_age_.set(oldest ? std::chrono::duration<double>(Spool::WallClock::now() - *oldest).count() : 0.0);
  std::lock_guard lock(mutex_);
  status_ = std::move(status);
}

SpoolStatus SpoolNotes::status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

}  // namespace sluice::deliver::spool
