#include "observe/process_metrics.hpp"

#include <time.h>
#include <unistd.h>

#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>
#include <vector>

namespace sluice::observe {
namespace {

// Fields after the command name, counted from field 3 (state) as index 0.
constexpr std::size_t kUtime = 14 - 3, kStime = 15 - 3, kStart = 22 - 3, kRss = 24 - 3;

std::vector<std::string_view> split_spaces(std::string_view text) {
  std::vector<std::string_view> fields;
  while (!text.empty()) {
    const auto start = text.find_first_not_of(" \n");
    if (start == std::string_view::npos) break;
    const auto end = text.find_first_of(" \n", start);
    fields.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end);
  }
  return fields;
}

bool to_number(std::string_view text, std::uint64_t& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size();
}

double read_seconds(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// Reads the stat file and applies `value`; NaN when the file is unreadable.
std::function<double()> reader(std::string path, ProcUnits units, double (*value)(const ProcStat&, const ProcUnits&)) {
  return [path = std::move(path), units, value] {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    auto stat = parse_proc_stat(text.str());
    return stat ? value(*stat, units) : std::nan("");
  };
}

}  // namespace

Expected<ProcStat, std::string> parse_proc_stat(std::string_view text) {
  const auto close = text.rfind(')');
  if (close == std::string_view::npos) return Unexpected(std::string("no command name"));
  const auto fields = split_spaces(text.substr(close + 1));
  if (fields.size() <= kRss) return Unexpected(std::string("too few fields"));
  ProcStat stat;
  if (!to_number(fields[kUtime], stat.utime_ticks) || !to_number(fields[kStime], stat.stime_ticks) ||
      !to_number(fields[kStart], stat.start_ticks) || !to_number(fields[kRss], stat.rss_pages)) {
    return Unexpected(std::string("not a number where one is expected"));
  }
  return stat;
}

double resident_memory_bytes(const ProcStat& stat, const ProcUnits& units) {
  return static_cast<double>(stat.rss_pages) * units.page_size;
}

double cpu_seconds(const ProcStat& stat, const ProcUnits& units) {
  return static_cast<double>(stat.utime_ticks + stat.stime_ticks) / units.ticks_per_second;
}

double start_time_seconds(const ProcStat& stat, const ProcUnits& units) {
  return units.boot_time_seconds + static_cast<double>(stat.start_ticks) / units.ticks_per_second;
}

ProcUnits local_proc_units() {
  ProcUnits units;
  units.ticks_per_second = static_cast<double>(sysconf(_SC_CLK_TCK));
  units.page_size = static_cast<double>(sysconf(_SC_PAGESIZE));
  units.boot_time_seconds = read_seconds(CLOCK_REALTIME) - read_seconds(CLOCK_BOOTTIME);
  return units;
}

void register_process_metrics(Metrics& metrics, std::string stat_path) {
  const ProcUnits units = local_proc_units();
  metrics.gauge_callback("sluiced_process_resident_memory_bytes", "Resident memory size in bytes", {},
                         reader(stat_path, units, resident_memory_bytes));
  metrics.counter_callback("sluiced_process_cpu_seconds_total", "User and system CPU time spent in seconds", {},
                           reader(stat_path, units, cpu_seconds));
  metrics.gauge_callback("sluiced_process_start_time_seconds", "Start time of the process since the Unix epoch",
                         {}, reader(stat_path, units, start_time_seconds));
  metrics.gauge("sluiced_build_info", "Always 1; the version of sluiced as a label", {{"version", SLUICE_VERSION}})
      .set(1);
}

}  // namespace sluice::observe
