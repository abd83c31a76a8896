// A spent quota with the real daemon and a real Celery worker: the ingest
// server takes 100 events, then answers 429 with Retry-After: 20 while 500
// tasks run. When it accepts again, sluiced spends what it sends on every
// job's latest state first; worker refreshes and queue snapshots come after,
// each job's events stay in order and previousState stays truthful.
//
// The server's quota resets once sluiced has seen all 500 tasks finish (its
// own metrics say so): the reset is the server's choice, as it is the API's,
// and sluiced learns of it only by asking again after Retry-After.

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "support/blocking_redis.hpp"
#include "support/celery_worker.hpp"
#include "support/ingest_env.hpp"
#include "support/ingest_server.hpp"
#include "support/redis_server.hpp"
#include "support/sluiced_daemon.hpp"
#include "support/state_events.hpp"
#include "support/temp_dir.hpp"
#include "support/test_pki.hpp"
#include "support/wait_until.hpp"

namespace sluice::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr int kTasks = 500;

bool is_refresh(const json& event) {
  if (event["type"] == "queue_snapshot") return true;
  return event["type"] == "worker_state_change" && event["worker"]["state"] != "online" &&
         event["worker"]["state"] != "offline";
}

// With the events in memory only, and with the durable spool.
class QuotaHaltE2e : public ::testing::TestWithParam<bool> {};

TEST_P(QuotaHaltE2e, WhenTheQuotaComesBackFinalStatesGoBeforeAnyRefresh) {
  const bool spool = GetParam();
  TempDir state;
  TestPki pki;
  RedisServer redis;
  TestIngestServer server(IngestServerOptions{true, pki.server});
  server.set_event_quota(100, "20");
  // Busy/idle changes sent at once and queue depths every second, so that
  // plenty of them wait out the halt with the job states.
  SluicedDaemon daemon("redis://127.0.0.1:" + std::to_string(redis.port()) + "/0",
                       ingest_env(server, pki.ca_file(),
                                  {{"SLUICE_FLUSH_INTERVAL", "50ms"},
                                   {"SLUICE_WORKER_REFRESH_INTERVAL", "10s"},
                                   {"SLUICE_WORKER_STATE_HOLD", "0s"},
                                   {"SLUICE_WORKER_STATE_MIN_INTERVAL", "0s"},
                                   {"SLUICE_QUEUE_POLL_INTERVAL", "1s"},
                                   {"SLUICE_REFRESH_INTERVAL", "1s"},
                                   {"SLUICE_SPOOL_DIR", spool ? state.path() : ""}}));
  ASSERT_TRUE(daemon.started()) << daemon.log();
  BlockingRedis broker("127.0.0.1", redis.port());
  ASSERT_TRUE(wait_until([&] { return broker.pattern_subscribers() > 0; }, 20s));

  const auto celery = CeleryOptions::for_broker(redis.tcp_url());
  CeleryProducer producer(celery, "fixture.add", {"1", "2"}, kTasks, 0);
  CeleryWorker worker(celery, WorkerOptions{"worker@quota-halt", "prefork", 2, true});
  ASSERT_TRUE(producer.wait_done(120s));
  const auto ids = producer.task_ids();
  ASSERT_EQ(ids.size(), static_cast<std::size_t>(kTasks));

  const PromLabels completed{{"type", "job_state_change"}, {"state", "completed"}};
  ASSERT_TRUE(wait_until(
      [&] { return daemon.metrics().value("sluiced_ingest_events_by_state_total", completed) == kTasks; }, 120s))
      << worker.log() << daemon.log();
  const std::size_t before = server.accepted_count();
  ASSERT_LE(before, 100u);
  const auto reset = std::chrono::steady_clock::now();
  server.lift_event_quota();

  // Every final state, and then the refreshes that waited behind them.
  const std::set<std::string> wanted(ids.begin(), ids.end());
  std::set<std::string> finished;
  std::vector<json> after;  // what the API accepted once the quota was back, in order
  std::size_t last_job = 0;
  std::size_t first_refresh = 0;
  ASSERT_TRUE(wait_until(
      [&] {
        finished.clear();
        after.clear();
        last_job = 0;
        for (const auto& request : server.requests()) {
          if (request.status / 100 != 2) continue;
          for (const auto& text : request.events) {
            json event = json::parse(text);
            if (event["type"] == "job_state_change" && event["job"]["state"] == "completed") {
              finished.insert(event["job"]["externalId"].get<std::string>());
            }
            if (request.arrived >= reset) after.push_back(std::move(event));
          }
        }
        first_refresh = after.size();
        for (std::size_t i = 0; i < after.size(); ++i) {
          if (after[i]["type"] == "job_state_change") last_job = i;
          if (is_refresh(after[i])) first_refresh = std::min(first_refresh, i);
        }
        return finished == wanted && first_refresh < after.size();
      },
      60s))
      << finished.size() << " of " << kTasks << " final states\n"
      << daemon.log();
  EXPECT_LT(last_job, first_refresh) << "a refresh went before a job's state";
  EXPECT_EQ(untruthful_previous_states(server.accepted_events()), std::vector<std::string>{});

  // Each job's states in Celery's order (queued, active, completed), none twice.
  const std::map<std::string, int> rank{{"queued", 0}, {"active", 1}, {"completed", 2}};
  std::map<std::string, int> last_rank;
  for (const auto& text : server.accepted_events()) {
    const json event = json::parse(text);
    if (event["type"] != "job_state_change") continue;
    const std::string id = event["job"]["externalId"];
    const int now = rank.at(event["job"]["state"].get<std::string>());
    const auto seen = last_rank.find(id);
    EXPECT_TRUE(seen == last_rank.end() || seen->second < now) << text;
    last_rank[id] = now;
  }
  const auto metrics = daemon.metrics();
  EXPECT_EQ(metrics.value("sluiced_spool_max_bytes").value_or(0) > 0, spool);
  const double superseded =
      metrics.value("sluiced_events_coalesced_total", {{"reason", "superseded_job_state"}}).value_or(0);
  const double superseded_refreshes =
      metrics.value("sluiced_events_coalesced_total", {{"reason", "superseded_worker_refresh"}}).value_or(0) +
      metrics.value("sluiced_events_coalesced_total", {{"reason", "superseded_queue_snapshot"}}).value_or(0);
  EXPECT_GT(superseded, 0);
  EXPECT_GT(superseded_refreshes, 0) << "refreshes waited out the halt with the job states";
  std::printf("quota halt (%s): tasks=%d accepted_before=%zu accepted_after=%zu superseded_job_states=%.0f "
              "superseded_refreshes_and_snapshots=%.0f\n",
              spool ? "spool" : "memory", kTasks, before, after.size(), superseded, superseded_refreshes);
}

INSTANTIATE_TEST_SUITE_P(Buffers, QuotaHaltE2e, ::testing::Values(false, true),
                         [](const auto& param_info) { return param_info.param ? "Spool" : "Memory"; });

}  // namespace
}  // namespace sluice::testing
