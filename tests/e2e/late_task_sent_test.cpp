// Real traffic where the worker's events overtake the client's task-sent:
// Celery publishes task-sent only after the task message (and after the
// after_task_publish signal), on the client's own connection, so a busy or
// slow client lets the worker publish task-received, task-started and even
// task-succeeded first. Every job event must still carry the queue, which
// only task-sent names.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "support/blocking_redis.hpp"
#include "support/celery_worker.hpp"
#include "support/http_probe.hpp"
#include "support/ingest_env.hpp"
#include "support/ingest_server.hpp"
#include "support/prometheus_text.hpp"
#include "support/redis_server.hpp"
#include "support/sluiced_daemon.hpp"
#include "support/test_pki.hpp"
#include "support/wait_until.hpp"

namespace sluice::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kConnectionId = "9a4e2c61-3b7d-4f08-8e15-6d2c0b9f4a37";

std::vector<json> job_events(const TestIngestServer& server) {
  std::vector<json> jobs;
  for (const auto& text : server.accepted_events()) {
    auto event = json::parse(text);
    if (event["type"] == "job_state_change") jobs.push_back(event["job"]);
  }
  return jobs;
}


double metric(const SluicedDaemon& sluiced, const std::string& name) {
  return sluiced.metrics().value(name, {}).value_or(-1);
}

bool all_completed(const TestIngestServer& server, const std::vector<std::string>& ids) {
  std::set<std::string> done;
  for (const json& job : job_events(server)) {
    if (job["state"] == "completed") done.insert(job["externalId"].get<std::string>());
  }
  for (const auto& id : ids) {
    if (!done.count(id)) return false;
  }
  return !ids.empty();
}

TEST(LateTaskSent, EveryJobEventCarriesTheQueue) {
  TestPki pki;
  RedisServer redis;
  TestIngestServer server(IngestServerOptions{true, pki.server});
  SluicedDaemon sluiced("redis://127.0.0.1:" + std::to_string(redis.port()) + "/0",
                        ingest_env(server, pki.ca_file(),
                                   {{"SLUICE_CONNECTION_ID", kConnectionId}, {"SLUICE_FLUSH_INTERVAL", "100ms"}}));
  ASSERT_TRUE(sluiced.started()) << sluiced.log();
  BlockingRedis probe("127.0.0.1", redis.port());
  ASSERT_TRUE(wait_until([&] { return probe.pattern_subscribers() > 0; }, 20s)) << sluiced.log();
  const double held_before = metric(sluiced, "sluiced_reorder_held_total");
  // The tasks are sent while the worker starts, not after it is ready: a
  // user's worker starts with work waiting.
  auto celery = CeleryOptions::for_broker(redis.tcp_url());
  CeleryWorker worker(celery, WorkerOptions{"worker@late-sent", "prefork", 1, true});

  // A client that publishes each task-sent 100 ms after its task (the
  // reorder window is 250 ms), from the very first task sluiced sees.
  auto slow = celery;
  slow.extra_env.emplace_back("SLUICE_TEST_SENT_DELAY", "0.1");
  CeleryProducer producer(slow, "fixture.add", {"2", "3"}, 8, 0.2);
  ASSERT_TRUE(producer.wait_done(60s));
  const auto ids = producer.task_ids();
  ASSERT_EQ(ids.size(), 8u);
  ASSERT_TRUE(wait_until([&] { return all_completed(server, ids); }, 60s)) << worker.log();

  const std::set<std::string> slow_ids(ids.begin(), ids.end());  // every task of the run
  std::map<std::string, std::vector<std::string>> states;
  for (const json& job : job_events(server)) {
    const std::string id = job["externalId"];
    if (!slow_ids.count(id)) continue;
    states[id].push_back(job["state"]);
    EXPECT_EQ(job.value("queue", ""), "celery") << job.dump();
    EXPECT_EQ(job["name"], "fixture.add") << job.dump();
  }
  for (const auto& [id, sequence] : states) {
    EXPECT_EQ(sequence, (std::vector<std::string>{"queued", "active", "completed"})) << id;
  }

  // The worker's events really outran each task-sent: at least the
  // task-received of every slow task waited in the reorder window.
  EXPECT_GE(metric(sluiced, "sluiced_reorder_held_total"), held_before + 8);
  EXPECT_EQ(metric(sluiced, "sluiced_reorder_expired_total"), 0);
  // The tracker's other counters are exported too (README metric list).
  for (const char* name : {"sluiced_late_events_total", "sluiced_worker_evictions_total",
                           "sluiced_task_events_without_uuid_total"}) {
    EXPECT_EQ(metric(sluiced, name), 0) << name;
  }

  worker.stop();
  sluiced.process().signal(SIGTERM);
  const auto status = sluiced.process().wait_for(30s);
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << *status;
}

}  // namespace
}  // namespace sluice::testing
