// Contract length limits (docs/ingest-contract.md §4), cut on UTF-8
// code point boundaries, and the LRU seen from the outside.

#include <gtest/gtest.h>

#include "common/utf8.hpp"
#include "event_builders.hpp"
#include "track/limits.hpp"

namespace sluice::track {
namespace {

using namespace testing;

// "é" is two bytes: an odd limit falls in the middle of one.
std::string accents(std::size_t bytes) {
  std::string text;
  while (text.size() < bytes) text += "\xC3\xA9";
  return text;
}

TEST(TrackerLimits, LongStringsAreCutOnCodePointBoundaries) {
  Harness h(immediate());
  CeleryEvent e = sent(kTask, kT0, "x" + accents(2000));
  e.queue = "q" + accents(400);
  h.feed(e);
  CeleryEvent f = failed(kTask, kT0 + 1, "E" + accents(20'000));
  f.traceback = "T" + accents(60'000);
  f.hostname = "w" + accents(600);
  h.feed(f);
  const Job queued = h.jobs().at(0);
  const Job failure = h.jobs().at(1);
  EXPECT_EQ(queued.name.size(), limits::kName - 1);  // 1023: the last é did not fit
  EXPECT_EQ(queued.queue->size(), limits::kQueue);   // 255 = "q" + 127 x é
  EXPECT_EQ(failure.error->size(), limits::kError - 1);
  EXPECT_EQ(failure.stacktrace->size(), limits::kStacktrace - 1);
  EXPECT_EQ(failure.worker_id->size(), limits::kWorkerId - 1);
  for (const std::string* text : {&queued.name, &*queued.queue, &*failure.error, &*failure.stacktrace}) {
    EXPECT_TRUE(utf8::is_valid(*text));
  }
}

// Every other string of every event type: task references and routing of
// a job, and everything a worker event carries.
TEST(TrackerLimits, EveryOtherStringOfEveryEventTypeIsCut) {
  Harness h(immediate());
  const std::string huge = "x" + accents(1'000'000);
  CeleryEvent e = sent(kTask, kT0);
  e.parent_id = huge;
  e.root_id = huge;
  e.exchange = huge;
  e.routing_key = huge;
  h.feed(e);
  CeleryEvent online = worker_event("worker-online", kT0, "w" + accents(1'000'000));
  online.sw_ident = huge;
  online.sw_ver = huge;
  online.sw_sys = huge;
  h.feed(online);
  const Job job = h.jobs().at(0);
  const Worker worker = h.workers().at(0);
  const std::pair<const std::string*, std::size_t> fields[] = {
      {&*job.parent_id, limits::kTaskReference},
      {&*job.root_id, limits::kTaskReference},
      {&*job.extensions.exchange, limits::kShortText},
      {&*job.extensions.routing_key, limits::kShortText},
      {&worker.external_id, limits::kWorkerId},
      {&worker.hostname, limits::kWorkerId},
      {&*worker.metadata.software, limits::kShortText},
      {&*worker.metadata.system, limits::kShortText}};
  for (const auto& [text, limit] : fields) {
    EXPECT_LE(text->size(), limit);
    EXPECT_GE(text->size(), limit - 1);  // cut, not emptied
    EXPECT_TRUE(utf8::is_valid(*text));
  }
}

TEST(TrackerLimits, OverlongTaskIdsAreCut) {
  Harness h(immediate());
  h.feed(sent(std::string(600, 'a'), kT0));
  EXPECT_EQ(h.jobs().at(0).external_id, std::string(limits::kExternalId, 'a'));
}

TEST(TrackerLimits, TheTaskTableForgetsTheLeastRecentlyUsed) {
  TrackerOptions options = immediate();
  options.task_table_size = 2;
  Harness h(options);
  h.feed(sent(kTask, kT0, "app.first"));
  h.feed(sent(kOtherTask, kT0, "app.second"));
  h.feed(sent("11111111-2222-4333-8444-555555555555", kT0, "app.third"));
  EXPECT_EQ(h.tracker.tracked_tasks(), 2u);
  EXPECT_EQ(h.tracker.counters().task_evictions, 1u);
  EXPECT_FALSE(h.tracker.task(kTask).has_value());
  h.feed(started(kTask, kT0 + 1));
  EXPECT_EQ(h.jobs().back().name, "unknown");
  EXPECT_EQ(h.tracker.task(kTask)->state, JobState::active);
}

TEST(TrackerCounters, CountEventsByKindAndOutput) {
  Harness h(immediate());
  h.feed(sent(kTask, kT0));
  h.feed(received(kTask, kT0));
  h.feed(heartbeat(kT0, 0, 0));
  h.feed(task_event("task-progress", "", kT0));
  CeleryEvent odd;
  odd.type = "something-else";
  h.feed(odd);
  const TrackerCounters c = h.tracker.counters();
  EXPECT_EQ(c.events_by_kind[static_cast<std::size_t>(EventKind::task_sent)], 1u);
  EXPECT_EQ(c.events_by_kind[static_cast<std::size_t>(EventKind::worker_heartbeat)], 1u);
  EXPECT_EQ(c.events_by_kind[static_cast<std::size_t>(EventKind::task_custom)], 1u);
  EXPECT_EQ(c.events_by_kind[static_cast<std::size_t>(EventKind::other)], 1u);
  EXPECT_EQ(c.events_without_uuid, 1u);
  EXPECT_EQ(c.job_events, 1u);     // received repeats queued: no news
  EXPECT_EQ(c.worker_events, 2u);  // online with its first task event, then idle
}

}  // namespace
}  // namespace sluice::track
