#include "deliver/state_fields.hpp"

#include <gtest/gtest.h>

#include "support/state_events.hpp"

namespace sluice::deliver {
namespace {

using track::JobState;
using track::WorkerState;

std::string encoded(const track::IngestEvent& event) {
  EncodedEvents events;
  testing::encode(events, event);
  return std::string(events.event(0));
}

TEST(StateFields, ReadsAJobsStateAndPreviousState) {
  const std::string json = encoded(testing::job_state_event("j1", JobState::active, JobState::queued));
  const auto fields = read_state_fields(json);
  ASSERT_TRUE(fields);
  EXPECT_EQ(fields->state, "active");
  ASSERT_TRUE(fields->previous);
  EXPECT_EQ(*fields->previous, "queued");
}

TEST(StateFields, ReadsAWorkersStateAndAJobWithoutPreviousState) {
  // The fields are views into the JSON: it must outlive them.
  const std::string worker_json = encoded(testing::worker_state_event("celery@a", WorkerState::offline));
  const auto worker = read_state_fields(worker_json);
  ASSERT_TRUE(worker);
  EXPECT_EQ(worker->state, "offline");
  EXPECT_FALSE(worker->previous);
  const std::string job_json = encoded(testing::job_state_event("j1", JobState::queued, std::nullopt));
  const auto job = read_state_fields(job_json);
  ASSERT_TRUE(job);
  EXPECT_EQ(job->state, "queued");
  EXPECT_FALSE(job->previous);
}

// Task names and ids are the application's: one that spells a state field
// is escaped in our JSON and never read as one.
TEST(StateFields, TextThatSpellsAStateFieldInsideAValueIsNotRead) {
  auto event = testing::job_state_event(R"(x","state":"failed",")", JobState::completed, JobState::active);
  std::get<track::Job>(event.body).name = R"(a\",\"state\":\"cancelled)";
  const std::string json = encoded(event);
  const auto fields = read_state_fields(json);
  ASSERT_TRUE(fields);
  EXPECT_EQ(fields->state, "completed");
  EXPECT_EQ(fields->previous.value_or(""), "active");
}

TEST(StateFields, JsonWithoutAReadableStateHasNoFields) {
  EXPECT_FALSE(read_state_fields(R"({"type":"queue_snapshot","queue":{"name":"q","depth":1}})"));
  EXPECT_FALSE(read_state_fields(R"({"job":{"externalId":"j","state":"act)"));
  EXPECT_FALSE(read_state_fields(R"({"job":{"externalId":"j","state":""}})"));
}

TEST(StateFields, PreviousStateIsReplacedRemovedOrAdded) {
  const std::string with = encoded(testing::job_state_event("j1", JobState::completed, JobState::active));
  const std::string without = encoded(testing::job_state_event("j1", JobState::completed, std::nullopt));
  const std::string from_queued = encoded(testing::job_state_event("j1", JobState::completed, JobState::queued));
  const auto fields = read_state_fields(with);
  ASSERT_TRUE(fields);
  std::string out;
  append_with_previous_state(out, with, *fields, "queued");
  EXPECT_EQ(out, from_queued);
  out.clear();
  append_with_previous_state(out, with, *fields, std::nullopt);
  EXPECT_EQ(out, without);
  const auto bare = read_state_fields(without);
  ASSERT_TRUE(bare);
  out.clear();
  append_with_previous_state(out, without, *bare, "queued");
  EXPECT_EQ(out, from_queued);
}

}  // namespace
}  // namespace sluice::deliver
