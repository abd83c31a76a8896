#include <gtest/gtest.h>

#include "track/tracker.hpp"

namespace sluice::track {
namespace {

TEST(TrackerOptions, ComeFromTheSettings) {
  config::Settings settings;
  settings.task_table_size = 1234;
  settings.worker_offline_timeout = std::chrono::seconds(9);
  settings.refresh_interval = std::chrono::seconds(45);
  settings.reorder_window = std::chrono::milliseconds(100);
  settings.reorder_max_events = 77;
  const TrackerOptions options = TrackerOptions::from(settings);
  EXPECT_EQ(options.task_table_size, 1234u);
  EXPECT_EQ(options.worker_offline_timeout, std::chrono::seconds(9));
  EXPECT_EQ(options.refresh_interval, std::chrono::seconds(45));
  EXPECT_EQ(options.reorder_window, std::chrono::milliseconds(100));
  EXPECT_EQ(options.reorder_max_events, 77u);
}

TEST(TrackerOptions, DefaultsMatchTheSettingsTable) {
  const TrackerOptions options;
  EXPECT_EQ(options.task_table_size, 100'000u);
  EXPECT_EQ(options.worker_offline_timeout, std::chrono::seconds(6));
  EXPECT_EQ(options.refresh_interval, std::chrono::seconds(30));
  EXPECT_EQ(options.reorder_window, std::chrono::milliseconds(250));
  EXPECT_EQ(options.reorder_max_events, 10'000u);
}

TEST(Tracker, IdleTrackerHasNoDeadline) {
  Tracker tracker(TrackerOptions{});
  EXPECT_EQ(tracker.next_deadline(), std::nullopt);
  std::vector<IngestEvent> out;
  tracker.on_tick(Clock::time_point{} + std::chrono::hours(1), out);
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace sluice::track
