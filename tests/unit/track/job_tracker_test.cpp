// JobTracker and the task table's TaskExtras: a plain task takes none, and
// the context that does take one comes back whole in every job event.

#include "track/job_tracker.hpp"

#include <gtest/gtest.h>

#include "common/iso_time.hpp"
#include "event_builders.hpp"

namespace sluice::track {
namespace {

using namespace testing;

EpochMillis ms(double seconds) { return epoch_millis_from_seconds(seconds); }

// A JobTracker fed directly (no reorder window), keeping the jobs it built.
struct Jobs {
  explicit Jobs(std::size_t table_size = 100) : tracker(table_size) {}

  void feed(const CeleryEvent& event) {
    std::vector<IngestEvent> out;
    tracker.apply(event, classify_event(event.type), out);
    for (auto& e : out) all.push_back(std::get<Job>(e.body));
  }

  JobTracker tracker;
  std::vector<Job> all;
};

TEST(JobTrackerExtras, APlainTaskTakesNone) {
  Jobs jobs;
  jobs.feed(sent(kTask, kT0));  // root_id is its own uuid, no parent, ETA or expiry
  CeleryEvent retry = received(kTask, kT0 + 1, "app.add", 1);
  retry.parent_id = kTask;  // a retry names itself as parent: not a parent
  jobs.feed(retry);
  jobs.feed(started(kTask, kT0 + 2));
  jobs.feed(succeeded(kTask, kT0 + 3));
  EXPECT_EQ(jobs.tracker.extras_in_use(), 0u);
  ASSERT_EQ(jobs.all.size(), 4u);
  for (const Job& job : jobs.all) {
    EXPECT_EQ(job.root_id, kTask);
    EXPECT_EQ(job.parent_id, std::nullopt);
    EXPECT_EQ(job.scheduled_for, std::nullopt);
    EXPECT_EQ(job.extensions.expires, std::nullopt);
  }
}

TEST(JobTrackerExtras, ParentRootEtaAndExpiresComeBackInEveryJob) {
  Jobs jobs;
  const std::string eta = "2026-11-24T05:30:00.250+00:00";
  CeleryEvent child = sent(kTask, kT0);
  child.parent_id = kOtherTask;
  child.root_id = "root-not-a-uuid";  // kept in the string pool
  child.eta = eta;
  child.expires = "2026-11-24T05:31:00.500+00:00";
  jobs.feed(child);
  CeleryEvent r = received(kTask, kT0 + 1);
  r.eta = eta;  // Celery repeats the ETA on task-received
  jobs.feed(r);
  jobs.feed(started(kTask, kT0 + 70));
  jobs.feed(succeeded(kTask, kT0 + 71));
  EXPECT_EQ(jobs.tracker.extras_in_use(), 1u);
  ASSERT_EQ(jobs.all.size(), 3u);  // sent and received are both "scheduled"
  EXPECT_EQ(jobs.all[0].state, JobState::scheduled);
  for (const Job& job : jobs.all) {
    EXPECT_EQ(job.parent_id, kOtherTask);
    EXPECT_EQ(job.root_id, "root-not-a-uuid");
    EXPECT_EQ(job.scheduled_for, parse_iso8601(eta));
    EXPECT_EQ(job.extensions.expires, "2026-11-24T05:31:00.500Z");
  }
}

// Each of the four alone is reason enough for one TaskExtras.
TEST(JobTrackerExtras, AnyOneOfTheFourTakesOne) {
  const auto with = [](auto change) {
    Jobs jobs;
    CeleryEvent e = sent(kTask, kT0);
    change(e);
    jobs.feed(e);
    EXPECT_EQ(jobs.tracker.extras_in_use(), 1u);
    return jobs.all.at(0);
  };
  EXPECT_EQ(with([](CeleryEvent& e) { e.parent_id = kOtherTask; }).parent_id, kOtherTask);
  EXPECT_EQ(with([](CeleryEvent& e) { e.root_id = kOtherTask; }).root_id, kOtherTask);
  EXPECT_EQ(with([](CeleryEvent& e) { e.eta = format_iso8601_millis(ms(kT0) + 5000); }).scheduled_for,
            ms(kT0) + 5000);
  EXPECT_EQ(with([](CeleryEvent& e) { e.expires = "2026-11-24T05:29:25.973Z"; }).extensions.expires,
            "2026-11-24T05:29:25.973Z");
}

TEST(JobTrackerExtras, ALaterAnnouncementWithoutEtaClearsIt) {
  Jobs jobs;
  CeleryEvent countdown = sent(kTask, kT0);
  countdown.eta = format_iso8601_millis(ms(kT0) + 60'000);
  jobs.feed(countdown);
  jobs.feed(received(kTask, kT0 + 60, "app.add", 1));  // a new attempt, due now
  ASSERT_EQ(jobs.all.size(), 2u);
  EXPECT_EQ(jobs.all[0].scheduled_for, ms(kT0) + 60'000);
  EXPECT_EQ(jobs.all[1].scheduled_for, std::nullopt);
}

TEST(JobTrackerExtras, EvictedTasksGiveTheirsBack) {
  Jobs jobs(4);
  for (int n = 0; n < 1000; ++n) {
    CeleryEvent e = sent("task-" + std::to_string(n), kT0 + n);
    e.root_id = "root-" + std::to_string(n);
    e.eta = format_iso8601_millis(ms(kT0 + n) + 60'000);
    jobs.feed(e);
  }
  EXPECT_EQ(jobs.tracker.size(), 4u);
  EXPECT_EQ(jobs.tracker.extras_in_use(), 4u);
  EXPECT_EQ(jobs.all.back().root_id, "root-999");
  EXPECT_EQ(jobs.all.back().scheduled_for, ms(kT0 + 999) + 60'000);
}

}  // namespace
}  // namespace sluice::track
