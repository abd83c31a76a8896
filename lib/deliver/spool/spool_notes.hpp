#pragma once
// SpoolNotes: what the spool tells the outside world — metrics, log lines
// on changes, and a status for /health that other threads read. Built on
// the main thread (metrics are registered there), updated on the delivery
// thread.

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

#include "deliver/spool/spool.hpp"
#include "observe/log.hpp"
#include "observe/metrics.hpp"

namespace sluice::deliver::spool {

struct SpoolStatus {
  bool degraded = false;
  std::string problem;  // why, when degraded
  std::uint64_t bytes = 0;
  std::uint64_t max_bytes = 0;
  std::uint64_t events = 0;
};

class SpoolNotes {
 public:
  SpoolNotes(observe::Metrics& metrics, observe::Logger& log);

  void note_recovery(const SpoolRecovery& recovery, const std::string& dir);
  // Reads the spool's counters and levels (delivery thread).
  void note_state(Spool& spool, std::uint64_t memory_tail_dropped);
  SpoolStatus status() const;  // any thread

 private:
  observe::Logger& log_;
  observe::Gauge& bytes_;
  observe::Gauge& max_bytes_;
  observe::Gauge& events_;
  observe::Gauge& oldest_age_;
  observe::Gauge& degraded_;
  observe::Counter& corrupt_;
  observe::Counter& replayed_;
  observe::Counter& write_errors_;
  observe::Counter& dropped_overflow_;
  observe::Counter& dropped_lost_;
  observe::Histogram& sync_duration_;
  bool was_degraded_ = false;
  mutable std::mutex mutex_;
  SpoolStatus status_;
};

}  // namespace sluice::deliver::spool
