#pragma once
// Process metrics read from /proc/self/stat at scrape time: resident memory,
// CPU time, start time, plus sluiced_build_info. Parsing is pure; only
// register_process_metrics() touches the file system and the clocks.

#include <cstdint>
#include <string>
#include <string_view>

#include "common/expected.hpp"
#include "observe/metrics.hpp"

namespace sluice::observe {

// The fields of /proc/<pid>/stat that the metrics need (proc(5)).
struct ProcStat {
  std::uint64_t utime_ticks = 0;
  std::uint64_t stime_ticks = 0;
  std::uint64_t start_ticks = 0;  // since boot
  std::uint64_t rss_pages = 0;

  bool operator==(const ProcStat&) const = default;
};

// How to turn ticks and pages into seconds and bytes on this machine.
struct ProcUnits {
  double ticks_per_second = 100;
  double page_size = 4096;
  double boot_time_seconds = 0;  // Unix time of boot
};

// Tolerates spaces and parentheses in the command name (field 2).
Expected<ProcStat, std::string> parse_proc_stat(std::string_view text);

double resident_memory_bytes(const ProcStat& stat, const ProcUnits& units);
double cpu_seconds(const ProcStat& stat, const ProcUnits& units);
double start_time_seconds(const ProcStat& stat, const ProcUnits& units);

// This machine's units: sysconf and CLOCK_REALTIME − CLOCK_BOOTTIME (no
// /proc/stat, which systemd's ProcSubset=pid hides).
ProcUnits local_proc_units();

// Registers the sluiced_process_* callbacks (reading `stat_path` at each
// scrape; NaN when it cannot be read) and sluiced_build_info{version}.
void register_process_metrics(Metrics& metrics, std::string stat_path = "/proc/self/stat");

}  // namespace sluice::observe
