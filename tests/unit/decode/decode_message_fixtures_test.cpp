// decode_message over every captured scenario (tests/fixtures/celery-5.2 and
// celery-5.6):
// message classes, list sizes and per-type counts equal the README table,
// event totals equal events_applied of Celery's own State, and decoded
// fields match what that State recorded.
#include <filesystem>
#include <map>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "decode/body_decoders.hpp"
#include "support/base64_decode.hpp"
#include "decode/decode_message.hpp"
#include "unit/decode/fixture_lines.hpp"

namespace sluice::decode {
namespace {

using testing::fixture_payloads;

struct FixtureExpectation {
  std::string scenario;
  int maps, lists, events, pidbox, backend;
  std::map<std::string, int> types;
  std::map<std::size_t, int> list_sizes;  // task.multi size → number of lists
  std::string set = "celery-5.2";
};

std::map<std::string, int> simple_types(int heartbeats) {
  return {{"task-sent", 2},     {"task-received", 2},   {"task-started", 2},   {"task-succeeded", 1},
          {"task-failed", 1},   {"worker-online", 1},   {"worker-offline", 1}, {"worker-heartbeat", heartbeats}};
}

std::map<std::string, int> full_types(int revoked, int heartbeats) {
  return {{"task-sent", 19},    {"task-received", 19},  {"task-started", 17},  {"task-succeeded", 8},
          {"task-failed", 3},   {"task-retried", 3},    {"task-rejected", 3},  {"task-revoked", revoked},
          {"task-progress", 3}, {"worker-online", 1},   {"worker-offline", 1}, {"worker-heartbeat", heartbeats}};
}

std::map<std::string, int> phased_types(int sent, int pairs) {
  return {{"task-sent", sent},        {"task-received", pairs}, {"task-started", pairs}, {"task-succeeded", pairs / 2},
          {"task-failed", pairs / 2}, {"worker-online", 1},     {"worker-offline", 1},   {"worker-heartbeat", 9}};
}

// The README's scenario table ("event msgs (map+list)", "events", "pidbox",
// "backend") and its "Event types" and "List sizes" paragraphs.
const std::vector<FixtureExpectation>& readme_table() {
  static const std::vector<FixtureExpectation> table = {
      {"solo", 28, 25, 83, 5, 16, full_types(2, 4), {{1, 8}, {2, 4}, {3, 13}}},
      {"prefork", 35, 51, 91, 4, 17, full_types(3, 11), {{1, 47}, {2, 3}, {3, 1}}},
      {"control", 17, 5, 23, 3, 0, phased_types(6, 2), {{1, 4}, {2, 1}}},
      {"enable-rediscli", 19, 9, 31, 4, 0, phased_types(8, 4), {{1, 6}, {2, 3}}},
      {"disable-on-E", 8, 2, 14, 2, 0, simple_types(4), {{3, 2}}},
      {"serializer-msgpack", 6, 2, 12, 1, 0, simple_types(2), {{3, 2}}},
      {"serializer-yaml", 6, 2, 12, 1, 0, simple_types(2), {{3, 2}}},
      {"channels-db3", 7, 2, 13, 2, 0, simple_types(3), {{3, 2}}},
      {"channels-fanout-prefix-off", 7, 2, 13, 2, 0, simple_types(3), {{3, 2}}},
      {"channels-fanout-patterns-off", 7, 2, 13, 2, 0, simple_types(3), {{3, 2}}},
      {"channels-custom-fanout-prefix", 7, 2, 13, 2, 0, simple_types(3), {{3, 2}}},
      {"channels-global-keyprefix", 7, 2, 13, 2, 0, simple_types(3), {{3, 2}}},
      {"channels-custom-exchanges", 7, 2, 13, 2, 0, simple_types(3), {{3, 2}}},
      {"tz-newyork", 6, 2, 12, 1, 0, simple_types(2), {{3, 2}}},
      {"tz-kolkata", 7, 2, 13, 1, 0, simple_types(3), {{3, 2}}},
  };
  return table;
}

std::map<std::string, int> worker_types(int heartbeats) {
  return {{"worker-online", 1}, {"worker-offline", 1}, {"worker-heartbeat", heartbeats}};
}

std::map<std::string, int> with(std::map<std::string, int> types, const std::map<std::string, int>& more) {
  for (const auto& [type, count] : more) types[type] = count;
  return types;
}

// The same for tests/fixtures/celery-5.6/README.md (Celery 5.6.3, kombu 5.6.2).
const std::vector<FixtureExpectation>& readme_table_56() {
  static const std::vector<FixtureExpectation> table = {
      {"solo", 29, 25, 85, 5, 18, with(full_types(2, 5), {{"task-succeeded", 9}}), {{1, 8}, {2, 4}, {3, 12}, {4, 1}},
       "celery-5.6"},
      {"prefork", 35, 42, 91, 4, 19, full_types(3, 11), {{1, 31}, {2, 8}, {3, 3}}, "celery-5.6"},
      {"custom-datetime", 7, 1, 10, 1, 0,
       with(worker_types(3),
            {{"task-sent", 1}, {"task-received", 1}, {"task-progress", 1}, {"task-started", 1}, {"task-succeeded", 1}}),
       {{3, 1}}, "celery-5.6"},
      {"cold-shutdown", 6, 4, 12, 1, 0,
       with(worker_types(2), {{"task-sent", 2}, {"task-received", 2}, {"task-started", 2}, {"task-cancelled", 2}}),
       {{1, 2}, {2, 2}}, "celery-5.6"},
      {"hard-time-limit-acks-late", 7, 6, 13, 1, 0,
       with(worker_types(4), {{"task-sent", 1},
                              {"task-received", 2},
                              {"task-started", 2},
                              {"task-rejected", 1},
                              {"task-succeeded", 1}}),
       {{1, 6}}, "celery-5.6"},
      {"worker-start-backlog", 54, 77, 196, 34, 0,
       with(worker_types(2),
            {{"task-sent", 50}, {"task-received", 46}, {"task-started", 48}, {"task-succeeded", 48}}),
       {{1, 28}, {2, 33}, {3, 16}}, "celery-5.6"},
  };
  return table;
}

std::vector<FixtureExpectation> every_table() {
  std::vector<FixtureExpectation> all = readme_table();
  all.insert(all.end(), readme_table_56().begin(), readme_table_56().end());
  return all;
}

struct Tally {
  int maps = 0, lists = 0, pidbox = 0, backend = 0, refused_pickle = 0, other_errors = 0;
  std::map<std::string, int> types;
  std::map<std::size_t, int> list_sizes;
  std::vector<CeleryEvent> events;  // in capture order
};

Tally decode_scenario(const std::string& scenario, const std::string& set = "celery-5.2") {
  Tally tally;
  for (const std::string& payload : fixture_payloads(scenario, set)) {
    const auto result = decode_message(payload, DecodeLimits{});
    if (!result) {
      const auto reason = result.error().reason;
      reason == DecodeErrorReason::not_kombu        ? ++tally.backend
      : reason == DecodeErrorReason::pickle_refused ? ++tally.refused_pickle
                                                    : ++tally.other_errors;
      continue;
    }
    EXPECT_TRUE(result->element_errors.empty()) << scenario << ": " << result->element_errors.front();
    EXPECT_TRUE(result->field_issues.empty()) << scenario << ": " << result->field_issues.front();
    if (result->kind == MessageKind::control) {
      ++tally.pidbox;
      continue;
    }
    // §5.1: lists travel as task.multi, everything else is one map.
    if (result->routing_key == "task.multi") {
      ++tally.lists;
      ++tally.list_sizes[result->events.size()];
    } else {
      ++tally.maps;
      EXPECT_EQ(result->events.size(), 1U) << scenario << " " << result->routing_key;
    }
    for (const CeleryEvent& event : result->events) {
      ++tally.types[event.type];
      tally.events.push_back(event);
    }
  }
  return tally;
}

nlohmann::json expected_state(const std::string& scenario, const std::string& set = "celery-5.2") {
  return nlohmann::json::parse(
      sluice::testing::read_file(sluice::testing::fixture_path(set + "/" + scenario + ".expected-state.json")));
}

std::set<std::string> scenarios_on_disk(const std::string& set) {
  std::set<std::string> on_disk;
  for (const auto& entry : std::filesystem::directory_iterator(sluice::testing::fixture_path(set))) {
    const auto name = entry.path().filename().string();
    if (name.ends_with(".jsonl") && name != "solo.receiver.jsonl") on_disk.insert(name.substr(0, name.size() - 6));
  }
  return on_disk;
}

TEST(DecodeFixtures, CoversEveryCapturedScenario) {
  const std::set<std::string> known(testing::all_scenarios().begin(), testing::all_scenarios().end());
  EXPECT_EQ(scenarios_on_disk("celery-5.2"), known);
  EXPECT_EQ(readme_table().size() + 1, known.size());  // + serializer-pickle, checked on its own
  const std::set<std::string> known_56(testing::celery56_scenarios().begin(), testing::celery56_scenarios().end());
  EXPECT_EQ(scenarios_on_disk("celery-5.6"), known_56);
  EXPECT_EQ(readme_table_56().size(), known_56.size());
}

TEST(DecodeFixtures, CountsMatchTheReadmeTable) {
  for (const FixtureExpectation& want : every_table()) {
    SCOPED_TRACE(want.set + "/" + want.scenario);
    const Tally got = decode_scenario(want.scenario, want.set);
    EXPECT_EQ(got.maps, want.maps);
    EXPECT_EQ(got.lists, want.lists);
    EXPECT_EQ(static_cast<int>(got.events.size()), want.events);
    EXPECT_EQ(got.pidbox, want.pidbox);
    EXPECT_EQ(got.backend, want.backend);
    EXPECT_EQ(got.refused_pickle, 0);
    EXPECT_EQ(got.other_errors, 0);
    EXPECT_EQ(got.types, want.types);
    EXPECT_EQ(got.list_sizes, want.list_sizes);
    EXPECT_EQ(static_cast<int>(got.events.size()),
              expected_state(want.scenario, want.set)["events_applied"].get<int>());
  }
}

// Last event for `uuid` (or worker `hostname`) of `type` that has `field`.
template <class Field>
const CeleryEvent* last_with(const std::vector<CeleryEvent>& events, const std::string& type_prefix,
                             const std::string& key, Field field) {
  const CeleryEvent* found = nullptr;
  for (const CeleryEvent& e : events) {
    const std::string& id = type_prefix == "worker-" ? e.hostname : e.uuid;
    if (e.type.starts_with(type_prefix) && id == key && field(e)) found = &e;
  }
  return found;
}

void check_task(const std::vector<CeleryEvent>& events, const std::string& uuid, const nlohmann::json& task) {
  SCOPED_TRACE(uuid);
  ASSERT_NE(last_with(events, "task-", uuid, [](const CeleryEvent&) { return true; }), nullptr);
  if (!task["name"].is_null()) {
    const auto* e = last_with(events, "task-", uuid, [](const CeleryEvent& x) { return x.name.has_value(); });
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(*e->name, task["name"].get<std::string>());
  }
  // §6.2 step 1: each known subject's attribute is the timestamp of its last event.
  for (const char* subject : {"sent", "received", "started", "succeeded", "failed", "retried", "revoked", "rejected"}) {
    if (task[subject].is_null()) continue;
    const std::string type = std::string("task-") + subject;
    const auto* e = last_with(events, type, uuid, [](const CeleryEvent&) { return true; });
    ASSERT_NE(e, nullptr) << subject;
    EXPECT_EQ(e->timestamp, task[subject].get<double>()) << subject;
  }
  if (!task["runtime"].is_null()) {
    const auto* e = last_with(events, "task-succeeded", uuid, [](const CeleryEvent&) { return true; });
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->runtime, task["runtime"].get<double>());
  }
  if (!task["exception"].is_null()) {
    const auto* e = last_with(events, "task-", uuid, [](const CeleryEvent& x) { return x.exception.has_value(); });
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(*e->exception, task["exception"].get<std::string>());
  }
  const auto* traceback = last_with(events, "task-", uuid, [](const CeleryEvent& x) { return x.traceback.has_value(); });
  EXPECT_EQ(traceback != nullptr, task["has_traceback"].get<bool>());
  if (const auto* sent = last_with(events, "task-sent", uuid, [](const CeleryEvent&) { return true; })) {
    EXPECT_EQ(sent->hostname, task["client"]);
    EXPECT_EQ(sent->routing_key, task["routing_key"].get<std::string>());
    EXPECT_EQ(sent->exchange, task["exchange"].get<std::string>());
  }
}

void check_worker(const std::vector<CeleryEvent>& events, const std::string& hostname, const nlohmann::json& worker) {
  SCOPED_TRACE(hostname);
  auto last = [&](auto field) { return last_with(events, "worker-", hostname, field); };
  const auto* pid = last([](const CeleryEvent& e) { return e.pid.has_value(); });
  ASSERT_NE(pid, nullptr);
  EXPECT_EQ(*pid->pid, worker["pid"].get<long long>());
  EXPECT_EQ(*last([](const CeleryEvent& e) { return e.freq.has_value(); })->freq, worker["freq"].get<double>());
  EXPECT_EQ(*last([](const CeleryEvent& e) { return e.active.has_value(); })->active, worker["active"].get<long long>());
  EXPECT_EQ(*last([](const CeleryEvent& e) { return e.processed.has_value(); })->processed,
            worker["processed"].get<long long>());
  EXPECT_EQ(*last([](const CeleryEvent& e) { return e.loadavg.has_value(); })->loadavg,
            worker["loadavg"].get<std::vector<double>>());
  const auto* sw = last([](const CeleryEvent& e) { return e.sw_ver.has_value(); });
  EXPECT_EQ(*sw->sw_ver, worker["sw_ver"].get<std::string>());
  EXPECT_EQ(*sw->sw_ident, worker["sw_ident"].get<std::string>());
  EXPECT_EQ(*sw->sw_sys, worker["sw_sys"].get<std::string>());
}

TEST(DecodeFixtures, FieldsMatchCeleryState) {
  for (const FixtureExpectation& want : every_table()) {
    SCOPED_TRACE(want.set + "/" + want.scenario);
    const Tally got = decode_scenario(want.scenario, want.set);
    const nlohmann::json state = expected_state(want.scenario, want.set);
    ASSERT_FALSE(state["tasks"].empty());
    for (const auto& [uuid, task] : state["tasks"].items()) check_task(got.events, uuid, task);
    for (const auto& [hostname, worker] : state["workers"].items()) check_worker(got.events, hostname, worker);
  }
}

// solo.receiver.jsonl holds the events exactly as Celery's EventReceiver
// handed them over (all but the first worker-online; task-sent clocks
// rewritten): decoding them as plain JSON bodies must give the same values.
TEST(DecodeFixtures, SoloEventsEqualWhatCelerysReceiverSaw) {
  const Tally solo = decode_scenario("solo");
  const auto lines = fixture_payloads("solo.receiver");
  ASSERT_EQ(lines.size() + 1, solo.events.size());
  EXPECT_EQ(solo.events.front().type, "worker-online");
  for (std::size_t i = 0; i < lines.size(); ++i) {
    DecodedMessage received;
    ASSERT_FALSE(decode_json_body(lines[i], DecodeLimits{}, received)) << i;
    ASSERT_EQ(received.events.size(), 1U) << i;
    CeleryEvent want = solo.events[i + 1];
    if (want.type == "task-sent") want.clock = received.events[0].clock;
    EXPECT_EQ(received.events[0], want) << i;
  }
}

// Celery 5.6 / kombu 5.6: a task's own datetime, date, time, UUID, Decimal
// and bytes values travel as {"__type__": T, "__value__": V} objects. They
// decode without an error or issue (CountsMatchTheReadmeTable) and are
// dropped like any unknown field; the event keeps Celery's own fields.
TEST(DecodeFixtures, KombuTaggedValuesInACustomEventAreSkipped) {
  const auto lines = fixture_payloads("custom-datetime", "celery-5.6");
  ASSERT_GE(lines.size(), 5U);
  const std::string body =
      sluice::testing::base64_decode(nlohmann::json::parse(lines[4])["body"].get<std::string>());
  ASSERT_NE(body.find(R"("when": {"__type__": "datetime", "__value__": )"), std::string::npos) << body;
  const auto result = decode_message(lines[4], DecodeLimits{});
  ASSERT_TRUE(result.has_value());
  EXPECT_TRUE(result->element_errors.empty());
  EXPECT_TRUE(result->field_issues.empty());
  ASSERT_EQ(result->events.size(), 1U);
  const CeleryEvent& e = result->events[0];
  EXPECT_EQ(e.type, "task-progress");
  EXPECT_EQ(e.uuid, "13965723-4ded-4821-92cc-866c93b0a7a8");
  EXPECT_EQ(e.hostname, "types@fixture");
  EXPECT_EQ(e.timestamp, 1796284674.1147633);
  EXPECT_EQ(e.clock, 6);
  EXPECT_FALSE(e.progress || e.current || e.total);
}

// Celery 5.5+ cold shutdown: task-cancelled for each running task, batched
// in one task.multi published after worker-offline.
TEST(DecodeFixtures, CancelledTasksArriveAfterTheirWorkersOffline) {
  const Tally got = decode_scenario("cold-shutdown", "celery-5.6");
  ASSERT_EQ(got.events.size(), 12U);
  EXPECT_EQ(got.events[9].type, "worker-offline");
  EXPECT_EQ(got.events[10].type, "task-cancelled");
  EXPECT_EQ(got.events[11].type, "task-cancelled");
  EXPECT_LT(got.events[11].timestamp, got.events[9].timestamp);  // stamped before the offline
  EXPECT_FALSE(got.events[10].name.has_value());
}

// Celery 5.5+: an acks_late task killed by its hard time limit is rejected
// with requeue=true and no task-failed, then redelivered with the same uuid.
TEST(DecodeFixtures, HardTimeLimitOfAnAcksLateTaskIsARequeue) {
  const Tally got = decode_scenario("hard-time-limit-acks-late", "celery-5.6");
  std::vector<std::string> task_types;
  for (const CeleryEvent& e : got.events) {
    if (e.is_task_event()) task_types.push_back(e.type);
    if (e.type == "task-rejected") {
      EXPECT_EQ(e.requeue, true);
    }
  }
  EXPECT_EQ(task_types, (std::vector<std::string>{"task-sent", "task-received", "task-started", "task-rejected",
                                                  "task-received", "task-started", "task-succeeded"}));
}

// None of the 5.6 captures holds an empty task.multi (Celery publishes its
// buffer even when empty): a captured 5.6 task.multi envelope with its list
// emptied decodes to no event and no error.
TEST(DecodeFixtures, AnEmptyTaskMultiListIsNothing) {
  const auto lines = fixture_payloads("cold-shutdown", "celery-5.6");
  auto envelope = nlohmann::json::parse(lines.back());
  ASSERT_EQ(envelope["properties"]["delivery_info"]["routing_key"], "task.multi");
  envelope["body"] = "W10=";  // base64 of []
  const auto result = decode_message(envelope.dump(), DecodeLimits{});
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->routing_key, "task.multi");
  EXPECT_TRUE(result->events.empty());
  EXPECT_TRUE(result->element_errors.empty());
  EXPECT_TRUE(result->field_issues.empty());
}

TEST(DecodeFixtures, PickleIsRefusedNeverDecoded) {
  const Tally got = decode_scenario("serializer-pickle");
  EXPECT_EQ(got.refused_pickle, 8);
  EXPECT_EQ(got.events.size(), 0U);
  EXPECT_EQ(got.pidbox, 1);
  EXPECT_EQ(got.other_errors, 0);
}

}  // namespace
}  // namespace sluice::decode
