// SLUICE_DAILY_EVENT_BUDGET with the real daemon: 200 tasks against a
// budget of 300 events. Every final state arrives; from 90 % of the budget
// on, queued and active states are held back, and counted.

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "support/blocking_redis.hpp"
#include "support/celery_events.hpp"
#include "support/ingest_env.hpp"
#include "support/ingest_server.hpp"
#include "support/redis_server.hpp"
#include "support/sluiced_daemon.hpp"
#include "support/test_pki.hpp"
#include "support/wait_until.hpp"

namespace sluice::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

std::string task_id(int n) { return "7d2a9c41-0000-4000-8000-" + std::to_string(100000000000LL + n); }

TEST(DailyBudgetE2e, FinalStatesArriveAndTheRestStopsNearTheBudget) {
  TestPki pki;
  RedisServer redis;
  TestIngestServer server(IngestServerOptions{true, pki.server});
  SluicedDaemon daemon("redis://127.0.0.1:" + std::to_string(redis.port()) + "/0",
                       ingest_env(server, pki.ca_file(),
                                  {{"SLUICE_FLUSH_INTERVAL", "50ms"},
                                   {"SLUICE_ENABLE_EVENTS", "false"},
                                   {"SLUICE_QUEUE_DEPTH", "false"},
                                   {"SLUICE_DAILY_EVENT_BUDGET", "300"}}));
  ASSERT_TRUE(daemon.started()) << daemon.log();
  BlockingRedis publisher("127.0.0.1", redis.port());
  ASSERT_TRUE(wait_until([&] { return publisher.pattern_subscribers() > 0; }, 20s));

  constexpr int kTasks = 200;
  for (int n = 0; n < kTasks; ++n) {
    publish_event(publisher, task_event("task-sent", task_id(n), "client@e2e"));
    for (const char* type : {"task-received", "task-started", "task-succeeded"}) {
      publish_event(publisher, task_event(type, task_id(n), "w1@e2e"));
    }
  }
  std::map<std::string, std::vector<std::string>> states;
  ASSERT_TRUE(wait_until(
      [&] {
        states.clear();
        for (const auto& text : server.accepted_events()) {
          const json event = json::parse(text);
          if (event["type"] == "job_state_change") states[event["job"]["externalId"]].push_back(event["job"]["state"]);
        }
        int done = 0;
        for (const auto& [id, seen] : states) done += !seen.empty() && seen.back() == "completed";
        return done == kTasks;
      },
      30s))
      << daemon.log();

  std::size_t intermediate = 0;
  for (const auto& [id, seen] : states) {
    for (const auto& state : seen) intermediate += state != "completed";
  }
  // 90 % of 300 = 270 events before the hold: 90 tasks' three states; then
  // only the remaining 110 completions.
  EXPECT_LE(intermediate, 270u);
  EXPECT_GE(intermediate, 170u) << "the first tasks were sent whole";
  const double held = daemon.total("sluiced_budget_held_back_total");
  EXPECT_GE(held, 2.0 * (kTasks - 90) - 2) << daemon.log();
  EXPECT_EQ(daemon.metrics().value("sluiced_events_dropped_total", {{"reason", "budget"}}).value_or(-1), held);
  EXPECT_GE(daemon.total("sluiced_budget_events_today"), 270);
  EXPECT_NE(daemon.log().find("daily event budget nearly spent"), std::string::npos);
}

}  // namespace
}  // namespace sluice::testing
