#include "observe/process_metrics.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "support/prometheus_text.hpp"
#include "support/test_paths.hpp"

namespace sluice::observe {
namespace {

// proc(5): pid (comm) state ppid … utime(14) stime(15) … starttime(22) vsize(23) rss(24) …
constexpr const char* kStat =
    "4242 (sluiced (a) b) S 1 4242 4242 0 -1 4194560 1234 0 0 0 250 50 0 0 20 0 3 0 "
    "987654 104857600 2560 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0\n";

TEST(ProcessMetrics, ParsesStatEvenWithParenthesesInTheName) {
  auto stat = parse_proc_stat(kStat);
  ASSERT_TRUE(stat) << stat.error();
  EXPECT_EQ(*stat, (ProcStat{250, 50, 987654, 2560}));
}

TEST(ProcessMetrics, ConvertsTicksAndPages) {
  const ProcStat stat{250, 50, 987654, 2560};
  const ProcUnits units{100, 4096, 1700000000};
  EXPECT_DOUBLE_EQ(cpu_seconds(stat, units), 3.0);
  EXPECT_DOUBLE_EQ(resident_memory_bytes(stat, units), 2560.0 * 4096);
  EXPECT_DOUBLE_EQ(start_time_seconds(stat, units), 1700000000 + 9876.54);
}

TEST(ProcessMetrics, RejectsTruncatedOrGarbledStat) {
  EXPECT_FALSE(parse_proc_stat(""));
  EXPECT_FALSE(parse_proc_stat("1 (x) S 1 2 3"));
  std::string garbled = kStat;
  garbled.replace(garbled.find(" 250 "), 5, " 2x0 ");
  EXPECT_FALSE(parse_proc_stat(garbled));
}

TEST(ProcessMetrics, ThisProcessStatParses) {
  auto stat = parse_proc_stat(testing::read_file("/proc/self/stat"));
  ASSERT_TRUE(stat) << stat.error();
  EXPECT_GT(stat->rss_pages, 0u);
}

TEST(ProcessMetrics, RegisteredMetricsRenderAsValidPrometheusText) {
  Metrics metrics;
  register_process_metrics(metrics);
  auto parsed = testing::parse_prometheus_text(metrics.render());
  ASSERT_TRUE(parsed) << parsed.error();
  EXPECT_TRUE(testing::lint_sluiced(*parsed).empty());
  EXPECT_GT(parsed->value("sluiced_process_resident_memory_bytes").value_or(0), 0);
  EXPECT_GE(parsed->value("sluiced_process_cpu_seconds_total").value_or(-1), 0);
  EXPECT_EQ(parsed->family("sluiced_process_cpu_seconds_total")->type, "counter");
  const double start = parsed->value("sluiced_process_start_time_seconds").value_or(0);
  const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_GT(start, now - 86400 * 365);  // a plausible Unix time, not seconds since boot
  EXPECT_LE(start, now + 1);
  EXPECT_EQ(parsed->value("sluiced_build_info", {{"version", SLUICE_VERSION}}), 1.0);
}

TEST(ProcessMetrics, UnreadableStatGivesNaNNotACrash) {
  Metrics metrics;
  register_process_metrics(metrics, "/nonexistent/stat");
  auto parsed = testing::parse_prometheus_text(metrics.render());
  ASSERT_TRUE(parsed) << parsed.error();
  EXPECT_TRUE(std::isnan(parsed->value("sluiced_process_resident_memory_bytes").value_or(0)));
}

}  // namespace
}  // namespace sluice::observe
