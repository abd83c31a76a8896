#include "deliver/supersession.hpp"

#include <gtest/gtest.h>

#include "support/state_events.hpp"

namespace sluice::deliver {
namespace {

using testing::encode;
using testing::job_state_event;
using testing::queue_event;
using testing::worker_state_event;
using track::JobState;
using track::WorkerState;

constexpr Room kRoomy{1'000'000, 1'000'000'000};

std::vector<std::string> summaries(const EncodedEvents& events) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < events.size(); ++i) out.push_back(testing::state_summary(std::string(events.event(i))));
  return out;
}

std::size_t superseded(const Prioritized& p, SupersededKind kind) {
  return p.superseded[static_cast<std::size_t>(kind)];
}

TEST(Supersession, AJobsLatestStateStandsForItsEarlierOnesAndKeepsTheFirstPreviousState) {
  EncodedEvents waiting;
  encode(waiting, job_state_event("a", JobState::queued, std::nullopt));
  encode(waiting, job_state_event("b", JobState::active, JobState::queued));  // b's queued went out before
  encode(waiting, job_state_event("a", JobState::active, JobState::queued));
  encode(waiting, job_state_event("b", JobState::completed, JobState::active));
  encode(waiting, job_state_event("a", JobState::completed, JobState::active));
  encode(waiting, job_state_event("c", JobState::queued, std::nullopt));
  const Prioritized p = prioritize(waiting, kRoomy);
  // a: nothing sent before, so its final state has no previousState; b: the
  // API last saw "queued".
  EXPECT_EQ(summaries(p.events), (std::vector<std::string>{"job b:completed<-queued", "job a:completed", "job c:queued"}));
  EXPECT_EQ(superseded(p, SupersededKind::job_state), 3u);
  EXPECT_EQ(p.overflow, 0u);
}

TEST(Supersession, JobStatesGoFirstThenWorkerPresenceThenTheRest) {
  EncodedEvents waiting;
  encode(waiting, queue_event("celery", 5));
  encode(waiting, worker_state_event("w1", WorkerState::idle));
  encode(waiting, worker_state_event("w2", WorkerState::online));
  encode(waiting, job_state_event("a", JobState::queued, std::nullopt));
  encode(waiting, worker_state_event("w1", WorkerState::busy));
  encode(waiting, worker_state_event("w2", WorkerState::busy));
  encode(waiting, queue_event("celery", 3));
  encode(waiting, job_state_event("a", JobState::completed, JobState::queued));
  encode(waiting, worker_state_event("w1", WorkerState::idle));
  const Prioritized p = prioritize(waiting, kRoomy);
  // w2 goes with its online event (its busy stays behind it); w1's refreshes
  // collapse into the last; the queue's latest depth stands for the first.
  EXPECT_EQ(summaries(p.events), (std::vector<std::string>{"job a:completed", "worker w2:online", "worker w2:busy",
                                                           "queue celery:3", "worker w1:idle"}));
  EXPECT_EQ(p.priorities, (std::vector<Priority>{Priority::job_state, Priority::worker_presence,
                                                 Priority::worker_presence, Priority::other, Priority::other}));
  EXPECT_EQ(superseded(p, SupersededKind::job_state), 1u);
  EXPECT_EQ(superseded(p, SupersededKind::worker_refresh), 2u);
  EXPECT_EQ(superseded(p, SupersededKind::queue_snapshot), 1u);
}

TEST(Supersession, AWorkersOnlineAndOfflineAreNeverSuperseded) {
  EncodedEvents waiting;
  encode(waiting, worker_state_event("w", WorkerState::online));
  encode(waiting, worker_state_event("w", WorkerState::idle));
  encode(waiting, worker_state_event("w", WorkerState::offline));
  encode(waiting, worker_state_event("w", WorkerState::online));
  encode(waiting, worker_state_event("w", WorkerState::busy));
  const Prioritized p = prioritize(waiting, kRoomy);
  EXPECT_EQ(summaries(p.events),
            (std::vector<std::string>{"worker w:online", "worker w:offline", "worker w:online", "worker w:busy"}));
}

TEST(Supersession, OverTheBoundTheLeastImportantGoOldestFirstAndTheirTagsAreReleased) {
  EncodedEvents waiting;
  encode(waiting, job_state_event("a", JobState::completed, JobState::active));
  waiting.set_tag(0, 1);
  encode(waiting, queue_event("q1", 1));
  waiting.set_tag(1, 2);
  encode(waiting, worker_state_event("w", WorkerState::online));
  waiting.set_tag(2, 3);
  encode(waiting, queue_event("q2", 1));
  waiting.set_tag(3, 4);
  encode(waiting, job_state_event("b", JobState::completed, JobState::active));
  waiting.set_tag(4, 5);
  const Prioritized three = prioritize(waiting, Room{3, 1'000'000});
  EXPECT_EQ(summaries(three.events), (std::vector<std::string>{"job a:completed<-active", "job b:completed<-active",
                                                               "worker w:online"}));
  EXPECT_EQ(three.overflow, 2u);
  EXPECT_EQ(three.released_tags, (std::vector<std::uint16_t>{2, 4}));
  const Prioritized one = prioritize(waiting, Room{1'000'000, waiting.event(0).size() + 1});
  EXPECT_EQ(summaries(one.events), (std::vector<std::string>{"job b:completed<-active"}));
  EXPECT_EQ(one.overflow, 4u);
}

TEST(Supersession, SupersededEventsReleaseTheirSpoolTags) {
  EncodedEvents waiting;
  encode(waiting, job_state_event("a", JobState::queued, std::nullopt));
  waiting.set_tag(0, 7);
  encode(waiting, job_state_event("a", JobState::active, JobState::queued));
  encode(waiting, job_state_event("a", JobState::completed, JobState::active));
  waiting.set_tag(2, 8);
  const Prioritized p = prioritize(waiting, kRoomy);
  EXPECT_EQ(p.released_tags, (std::vector<std::uint16_t>{7}));
  ASSERT_EQ(p.events.size(), 1u);
  EXPECT_EQ(p.events.tag(0), 8);
}

// An event whose state cannot be read (not ours, damaged) is kept as it is.
TEST(Supersession, AnEventWithoutAReadableStateIsKept) {
  EncodedEvents waiting;
  const EventKey key = key_of(EventKind::job, "a");
  waiting.append(R"({"job":{"externalId":"a"}})", EventKind::job, key);
  encode(waiting, job_state_event("a", JobState::completed, JobState::active));
  const Prioritized p = prioritize(waiting, kRoomy);
  EXPECT_EQ(p.events.size(), 2u);
  EXPECT_EQ(superseded(p, SupersededKind::job_state), 0u);
}

}  // namespace
}  // namespace sluice::deliver
