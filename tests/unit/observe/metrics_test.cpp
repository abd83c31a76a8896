#include "observe/metrics.hpp"

#include <gtest/gtest.h>

namespace sluice::observe {
namespace {

TEST(Metrics, RendersCountersWithLabelsInRegistrationOrder) {
  Metrics m;
  m.counter("sluiced_decode_errors_total", "Messages that could not be decoded", {{"reason", "bad_json"}}).inc(3);
  m.counter("sluiced_decode_errors_total", "Messages that could not be decoded", {{"reason", "bad_base64"}}).inc();
  m.gauge("sluiced_buffer_events", "Events waiting for delivery").set(7);
  EXPECT_EQ(m.render(),
            "# HELP sluiced_decode_errors_total Messages that could not be decoded\n"
            "# TYPE sluiced_decode_errors_total counter\n"
            "sluiced_decode_errors_total{reason=\"bad_json\"} 3\n"
            "sluiced_decode_errors_total{reason=\"bad_base64\"} 1\n"
            "# HELP sluiced_buffer_events Events waiting for delivery\n"
            "# TYPE sluiced_buffer_events gauge\n"
            "sluiced_buffer_events 7\n");
}

TEST(Metrics, SameNameAndLabelsIsTheSameMetric) {
  Metrics m;
  auto& a = m.counter("c_total", "h", {{"k", "v"}});
  auto& b = m.counter("c_total", "h", {{"k", "v"}});
  EXPECT_EQ(&a, &b);
}

TEST(Metrics, RendersHistogramsCumulatively) {
  Metrics m;
  auto& h = m.histogram("sluiced_request_duration_seconds", "Request time", {0.1, 1.0});
  h.observe(0.05);
  h.observe(0.5);
  h.observe(5);
  const std::string text = m.render();
  EXPECT_NE(text.find("sluiced_request_duration_seconds_bucket{le=\"0.1\"} 1\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("sluiced_request_duration_seconds_bucket{le=\"1\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("sluiced_request_duration_seconds_bucket{le=\"+Inf\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("sluiced_request_duration_seconds_count 3\n"), std::string::npos) << text;
}

TEST(Metrics, CallbackGaugesAreReadAtRenderTime) {
  Metrics m;
  double value = 1;
  m.gauge_callback("g", "h", {}, [&] { return value; });
  value = 42;
  EXPECT_NE(m.render().find("g 42\n"), std::string::npos);
}

TEST(Metrics, EscapesLabelValues) {
  EXPECT_EQ(escape_label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

TEST(Metrics, RefusesOneNameWithTwoTypes) {
  Metrics m;
  m.counter("x_total", "h");
  EXPECT_THROW(m.gauge("x_total", "h"), std::logic_error);
}

}  // namespace
}  // namespace sluice::observe
