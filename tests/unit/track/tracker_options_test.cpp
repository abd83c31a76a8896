#include <gtest/gtest.h>

#include "config/load.hpp"
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

// The defaults compiled into TrackerOptions (used by tests and benchmarks)
// are the ones the settings table gives the daemon: load the table's
// defaults and compare, so changing either side alone fails here.
TEST(TrackerOptions, DefaultsMatchTheSettingsTable) {
  const config::LoadResult defaults = config::load_settings(config::CommandLine{}, config::Environment{});
  const TrackerOptions from_table = TrackerOptions::from(defaults.settings);
  const TrackerOptions compiled;
  EXPECT_EQ(compiled.task_table_size, from_table.task_table_size);
  EXPECT_EQ(compiled.worker_offline_timeout, from_table.worker_offline_timeout);
  EXPECT_EQ(compiled.refresh_interval, from_table.refresh_interval);
  EXPECT_EQ(compiled.reorder_window, from_table.reorder_window);
  EXPECT_EQ(compiled.reorder_max_events, from_table.reorder_max_events);
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
