#include "observe/metrics.hpp"

#include <gtest/gtest.h>

#include <thread>

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

TEST(Metrics, ARemovedSeriesIsNoLongerRendered) {
  Metrics m;
  m.gauge("sluiced_queue_depth", "h", {{"queue", "a"}}).set(1);
  m.gauge("sluiced_queue_depth", "h", {{"queue", "b"}}).set(2);
  EXPECT_TRUE(m.remove("sluiced_queue_depth", {{"queue", "a"}}));
  EXPECT_FALSE(m.remove("sluiced_queue_depth", {{"queue", "a"}}));
  EXPECT_FALSE(m.remove("no_such_metric", {}));
  EXPECT_EQ(m.render(),
            "# HELP sluiced_queue_depth h\n"
            "# TYPE sluiced_queue_depth gauge\n"
            "sluiced_queue_depth{queue=\"b\"} 2\n");
  EXPECT_TRUE(m.remove("sluiced_queue_depth", {{"queue", "b"}}));
  EXPECT_EQ(m.render(), "");  // a family without series says nothing
  EXPECT_EQ(m.gauge("sluiced_queue_depth", "h", {{"queue", "a"}}).value(), 0);  // registered anew
}

TEST(Metrics, ManySeriesAreFoundAndRemovedOneByOne) {
  Metrics m;
  for (int i = 0; i < 20'000; ++i) m.gauge("g", "h", {{"queue", std::to_string(i)}}).set(i);
  EXPECT_EQ(m.gauge("g", "h", {{"queue", "12345"}}).value(), 12345);
  for (int i = 0; i < 20'000; ++i) ASSERT_TRUE(m.remove("g", {{"queue", std::to_string(i)}}));
  EXPECT_EQ(m.render(), "");
}

// The registry belongs to one thread; values may be updated from any.
TEST(Metrics, RegistrationRemovalAndRenderingOffTheOwnerThreadThrow) {
  Metrics m;
  Counter& c = m.counter("c_total", "h");
  std::thread other([&] {
    EXPECT_THROW(m.counter("d_total", "h"), std::logic_error);
    EXPECT_THROW(m.gauge_callback("e", "h", {}, [] { return 1.0; }), std::logic_error);
    EXPECT_THROW(m.remove("c_total", {}), std::logic_error);
    EXPECT_THROW((void)m.render(), std::logic_error);
    c.inc();
  });
  other.join();
  EXPECT_EQ(m.render(), "# HELP c_total h\n# TYPE c_total counter\nc_total 1\n");
}

TEST(Metrics, AnAdoptingThreadBecomesTheOwner) {
  Metrics m;
  m.counter("c_total", "h");
  std::thread other([&] {
    m.adopt_current_thread();
    m.counter("d_total", "h").inc();
    EXPECT_NE(m.render().find("d_total 1\n"), std::string::npos);
  });
  other.join();
  EXPECT_THROW(m.counter("e_total", "h"), std::logic_error);
}

}  // namespace
}  // namespace sluice::observe
