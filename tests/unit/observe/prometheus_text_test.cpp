// Metrics::render() checked by the test-support Prometheus parser, and the
// parser checked against broken expositions (so it can fail).
#include <gtest/gtest.h>

#include <cmath>

#include "observe/metrics.hpp"
#include "support/prometheus_text.hpp"

namespace sluice::observe {
namespace {

using testing::parse_prometheus_text;

TEST(PrometheusText, RenderedRegistryParsesWithEveryKind) {
  Metrics m;
  m.counter("sluiced_events_total", "Events \\ seen\nby type", {{"type", "task-\"sent\"\n"}}).inc(3);
  m.counter("sluiced_events_total", "Events \\ seen\nby type", {{"type", "worker"}}).inc();
  m.gauge("sluiced_buffer_events", "Buffered").set(-2.5);
  auto& h = m.histogram("sluiced_batch_seconds", "Batch time", {0.01, 0.1, 1}, {{"sink", "https"}});
  for (double v : {0.005, 0.05, 0.05, 3.0}) h.observe(v);
  m.histogram("sluiced_batch_seconds", "Batch time", {0.01, 0.1, 1}, {{"sink", "stdout"}});
  m.gauge_callback("sluiced_up_seconds", "Uptime", {}, [] { return std::nan(""); });
  m.counter_callback("sluiced_cpu_seconds_total", "CPU", {}, [] { return 1.25; });

  auto parsed = parse_prometheus_text(m.render());
  ASSERT_TRUE(parsed) << parsed.error() << "\n" << m.render();
  EXPECT_TRUE(testing::lint_sluiced(*parsed).empty());
  EXPECT_EQ(parsed->families.size(), 5u);
  EXPECT_EQ(parsed->family("sluiced_events_total")->help, "Events \\ seen\nby type");
  EXPECT_EQ(parsed->value("sluiced_events_total", {{"type", "task-\"sent\"\n"}}), 3.0);
  EXPECT_EQ(parsed->value("sluiced_buffer_events"), -2.5);
  EXPECT_EQ(parsed->value("sluiced_batch_seconds_bucket", {{"sink", "https"}, {"le", "0.1"}}), 3.0);
  EXPECT_EQ(parsed->value("sluiced_batch_seconds_count", {{"sink", "https"}}), 4.0);
  EXPECT_EQ(parsed->value("sluiced_cpu_seconds_total"), 1.25);
  EXPECT_EQ(parsed->family("sluiced_cpu_seconds_total")->type, "counter");
}

TEST(PrometheusText, EmptyExpositionIsValid) {
  auto parsed = parse_prometheus_text("");
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(parsed->families.empty());
}

TEST(PrometheusText, AcceptsTimestampsCommentsAndSpecialValues) {
  auto parsed = parse_prometheus_text(
      "# a comment\n# TYPE a gauge\na{x=\"1\"} +Inf 1700000000000\na{x=\"2\"} -Inf\na{x=\"3\"} 1e-3\n\n");
  ASSERT_TRUE(parsed) << parsed.error();
  EXPECT_EQ(parsed->value("a", {{"x", "3"}}), 0.001);
}

struct Broken {
  const char* why;
  const char* text;
};

class PrometheusTextRejects : public ::testing::TestWithParam<Broken> {};

TEST_P(PrometheusTextRejects, Broken) { EXPECT_FALSE(parse_prometheus_text(GetParam().text)) << GetParam().why; }

INSTANTIATE_TEST_SUITE_P(
    Cases, PrometheusTextRejects,
    ::testing::Values(
        Broken{"no final newline", "# TYPE a gauge\na 1"}, Broken{"bad metric name", "1a 1\n"},
        Broken{"bad label name", "a{1x=\"v\"} 1\n"}, Broken{"reserved label name", "a{__x=\"v\"} 1\n"},
        Broken{"unquoted label", "a{x=v} 1\n"}, Broken{"bad escape", "a{x=\"\\t\"} 1\n"},
        Broken{"unterminated label", "a{x=\"v} 1\n"}, Broken{"repeated label", "a{x=\"1\",x=\"2\"} 1\n"},
        Broken{"bad value", "a 1.2.3\n"}, Broken{"missing value", "a\n"}, Broken{"two spaces", "a  1\n"},
        Broken{"unknown type", "# TYPE a meter\na 1\n"}, Broken{"two TYPE lines", "# TYPE a gauge\n# TYPE a gauge\n"},
        Broken{"two HELP lines", "# HELP a x\n# HELP a y\n"}, Broken{"TYPE after samples", "a 1\n# TYPE a gauge\n"},
        Broken{"family split apart", "# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na{x=\"1\"} 2\n"},
        Broken{"same series twice", "a 1\na 2\n"}, Broken{"negative counter", "# TYPE c_total counter\nc_total -1\n"},
        Broken{"histogram without +Inf",
               "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n"},
        Broken{"histogram counts decrease",
               "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n"},
        Broken{"histogram bounds out of order",
               "# TYPE h histogram\nh_bucket{le=\"2\"} 1\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\n"
               "h_count 1\n"},
        Broken{"histogram count differs from +Inf",
               "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n"},
        Broken{"histogram without sum", "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_count 2\n"},
        Broken{"bucket without le", "# TYPE h histogram\nh_bucket 2\nh_sum 1\nh_count 2\n"}));

TEST(PrometheusText, LintNamesTheProjectConventions) {
  auto parsed = parse_prometheus_text("# TYPE up gauge\nup 1\n# HELP sluiced_x_total h\n# TYPE sluiced_x_total gauge\n"
                                      "sluiced_x_total 1\n# HELP sluiced_y h\n# TYPE sluiced_y counter\nsluiced_y 1\n");
  ASSERT_TRUE(parsed) << parsed.error();
  EXPECT_EQ(testing::lint_sluiced(*parsed).size(), 4u);  // prefix + help of up, _total gauge, counter w/o _total
}

}  // namespace
}  // namespace sluice::observe
