// Golden replay: every Celery 5.2 and 5.6 capture through decode + track,
// compared with what that Celery's own State computed from the same stream
// (tests/fixtures/celery-5.x/<scenario>.expected-state.json, replayed with
// local_received = the event's timestamp and no utcoffset localisation).

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "common/iso_time.hpp"
#include "decode/decode_message.hpp"
#include "support/test_paths.hpp"
#include "deliver/ingest_json.hpp"
#include "track/tracker.hpp"

namespace sluice::track {
namespace {

using nlohmann::json;

const char* const kCelery52[] = {
    "celery-5.2/solo",
    "celery-5.2/prefork",
    "celery-5.2/control",
    "celery-5.2/enable-rediscli",
    "celery-5.2/disable-on-E",
    "celery-5.2/serializer-msgpack",
    "celery-5.2/serializer-yaml",
    "celery-5.2/channels-db3",
    "celery-5.2/channels-fanout-prefix-off",
    "celery-5.2/channels-fanout-patterns-off",
    "celery-5.2/channels-custom-fanout-prefix",
    "celery-5.2/channels-global-keyprefix",
    "celery-5.2/channels-custom-exchanges",
    "celery-5.2/tz-newyork",
    "celery-5.2/tz-kolkata",
};

const char* const kCelery56[] = {
    "celery-5.6/solo",
    "celery-5.6/prefork",
    "celery-5.6/custom-datetime",
    "celery-5.6/cold-shutdown",
    "celery-5.6/hard-time-limit-acks-late",
    "celery-5.6/worker-start-backlog",
};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// recv_time (column 2) of every row of <s>.channels.tsv: the capture clock.
std::vector<double> receive_times(const std::string& scenario) {
  std::vector<double> times;
  const auto rows = lines_of(sluice::testing::read_file(sluice::testing::fixture_path(scenario + ".channels.tsv")));
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto tab = rows[i].find('\t');
    times.push_back(std::stod(rows[i].substr(tab + 1, rows[i].find('\t', tab + 1) - tab - 1)));
  }
  return times;
}

struct Replay {
  std::size_t events_applied = 0;
  std::vector<IngestEvent> out;
  // uuid -> requeue of a task-rejected that was the task's last state event
  // (a redelivery after a requeue, as in hard-time-limit-acks-late, ends it)
  std::map<std::string, bool> last_requeue;
};

bool changes_state(const std::string& type) {
  const EventKind kind = classify_event(type);
  return is_task_kind(kind) && kind != EventKind::task_custom;
}

// Feeds the capture in order; the tracker's clock follows the events' own
// timestamps (never backwards), like the oracle's local_received.
Replay replay(const std::string& scenario, Tracker& tracker) {
  Replay result;
  const auto payloads = lines_of(sluice::testing::read_file(sluice::testing::fixture_path(scenario + ".jsonl")));
  std::optional<double> origin;
  Clock::time_point now{};
  for (const auto& payload : payloads) {
    auto decoded = decode::decode_message(payload, decode::DecodeLimits{});
    if (!decoded) continue;  // result-backend publishes are not kombu messages
    for (const auto& event : decoded->events) {
      if (!origin) origin = event.timestamp;
      const auto at = Clock::time_point{} + std::chrono::duration_cast<Clock::duration>(
                                                std::chrono::duration<double>(event.timestamp - *origin));
      now = std::max(now, at);
      tracker.on_tick(now, result.out);
      tracker.on_event(event, now, result.out);
      ++result.events_applied;
      if (event.type == "task-rejected") {
        result.last_requeue[event.uuid] = event.requeue.value_or(false);
      } else if (changes_state(event.type)) {
        result.last_requeue.erase(event.uuid);
      }
    }
  }
  tracker.on_tick(now + std::chrono::hours(1), result.out);
  return result;
}

// The Sluice state Celery's final state maps to (docs/ingest-contract.md §6), with
// task-sent/received as queued or scheduled by eta, and rejections terminal.
JobState expected_state(const json& task, const Replay& replay, const std::string& uuid) {
  if (auto it = replay.last_requeue.find(uuid); it != replay.last_requeue.end()) {
    return it->second ? JobState::queued : JobState::failed;
  }
  const std::string state = task.at("state");
  if (state == "PENDING" || state == "RECEIVED") {
    const double at = state == "PENDING" ? task.at("sent").get<double>() : task.at("received").get<double>();
    const auto eta = task.at("eta").is_string() ? parse_iso8601(task.at("eta").get<std::string>()) : std::nullopt;
    return eta && *eta > epoch_millis_from_seconds(at) ? JobState::scheduled : JobState::queued;
  }
  if (state == "STARTED") return JobState::active;
  if (state == "SUCCESS") return JobState::completed;
  if (state == "FAILURE" || state == "REJECTED") return JobState::failed;
  if (state == "RETRY") return JobState::retrying;
  if (state == "REVOKED") return JobState::cancelled;
  // Celery's State does not know task-cancelled (5.5+): it keeps the
  // upper-cased event name, as for any custom event. sluiced maps it to
  // cancelled (lib/track/job_transition.cpp says why).
  if (state == "CANCELLED") return JobState::cancelled;
  ADD_FAILURE() << "unmapped Celery state " << state;
  return JobState::unknown;
}

// args, kwargs and result texts of the capture that are specific enough to
// be searched for ("(2, 3)", "{'note': 'ünïcode'}", "'ok after 1 retries'").
std::set<std::string> private_texts(const json& tasks) {
  std::set<std::string> texts;
  for (const auto& [uuid, task] : tasks.items()) {
    for (const char* field : {"args", "kwargs", "result"}) {
      const auto& value = task.at(field);
      if (value.is_string() && value.get<std::string>().size() >= 4) texts.insert(value.get<std::string>());
    }
  }
  return texts;
}

json expected_state_of(const std::string& scenario) {
  return json::parse(sluice::testing::read_file(sluice::testing::fixture_path(scenario + ".expected-state.json")));
}

class GoldenReplay : public ::testing::TestWithParam<const char*> {};

TEST_P(GoldenReplay, MatchesCeleryStateAndLeaksNothing) {
  const std::string scenario = GetParam();
  const json expected = expected_state_of(scenario);
  Tracker tracker(TrackerOptions{});
  const Replay result = replay(scenario, tracker);
  EXPECT_EQ(result.events_applied, expected.at("events_applied").get<std::size_t>());

  const json& tasks = expected.at("tasks");
  std::map<std::string, const Job*> last_job;
  for (const auto& event : result.out) {
    if (const auto* job = std::get_if<Job>(&event.body)) {
      // Thanks to the reorder window even events that outran their
      // task-sent/received go out with the task's real name.
      EXPECT_EQ(job->name, tasks.at(job->external_id).at("name").get<std::string>());
      last_job[job->external_id] = job;
    }
  }
  for (const auto& [uuid, task] : tasks.items()) {
    SCOPED_TRACE(scenario + " task " + uuid + " (" + task.at("state").get<std::string>() + ")");
    const auto view = tracker.task(uuid);
    ASSERT_TRUE(view.has_value());
    const JobState state = expected_state(task, result, uuid);
    EXPECT_EQ(view->state, state);
    EXPECT_EQ(view->name, task.at("name").get<std::string>());
    const auto worker =
        task.at("worker").is_string() ? std::optional(task.at("worker").get<std::string>()) : std::nullopt;
    EXPECT_EQ(view->worker, worker);
    ASSERT_TRUE(last_job.count(uuid));
    EXPECT_EQ(last_job[uuid]->state, state);  // what Sluice saw last
    EXPECT_EQ(last_job[uuid]->name, view->name);
  }
  for (const auto& [node, worker] : expected.at("workers").items()) {
    SCOPED_TRACE(scenario + " worker " + node);
    const auto view = tracker.worker(node);
    ASSERT_TRUE(view.has_value());
    EXPECT_EQ(view->state, WorkerState::offline);  // each capture ends with worker-offline
    EXPECT_EQ(view->pid, worker.at("pid").get<long long>());
    EXPECT_EQ(view->processed_total, worker.at("processed").get<long long>());
    EXPECT_EQ(view->active_jobs, worker.at("active").get<long long>());
  }
}

TEST_P(GoldenReplay, SerializedEventsAreValidTimelyAndPrivate) {
  const std::string scenario = GetParam();
  const json expected = expected_state_of(scenario);
  Tracker tracker(TrackerOptions{});
  const Replay result = replay(scenario, tracker);
  const auto times = receive_times(scenario);
  ASSERT_FALSE(times.empty());
  // The sender's utcoffset is ignored: every timestamp lies within the
  // capture (New York would be 5 h off, Kolkata 6 h, if it were applied).
  const EpochMillis first = epoch_millis_from_seconds(*std::min_element(times.begin(), times.end())) - 60'000;
  const EpochMillis last = epoch_millis_from_seconds(*std::max_element(times.begin(), times.end())) + 60'000;
  const auto secrets = private_texts(expected.at("tasks"));
  ASSERT_FALSE(secrets.empty());
  for (const auto& event : result.out) {
    const std::string text = deliver::to_ingest_json(event, {"550e8400-e29b-41d4-a716-446655440000"});
    ASSERT_TRUE(json::accept(text)) << text;
    EXPECT_GE(event.timestamp, first) << text;
    EXPECT_LE(event.timestamp, last) << text;
    for (const auto& secret : secrets) EXPECT_EQ(text.find(secret), std::string::npos) << secret << " in " << text;
  }
}

std::string test_name(const ::testing::TestParamInfo<const char*>& param_info) {
  std::string name = param_info.param;
  name = name.substr(name.find('/') + 1);
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
}

INSTANTIATE_TEST_SUITE_P(Celery52, GoldenReplay, ::testing::ValuesIn(kCelery52), test_name);
INSTANTIATE_TEST_SUITE_P(Celery56, GoldenReplay, ::testing::ValuesIn(kCelery56), test_name);

}  // namespace
}  // namespace sluice::track
