// The whole product end to end: a real redis-server (password protected), a
// real Celery worker started WITHOUT -E, the sluiced binary, and the test
// ingest server over TLS. Every task of the workload must reach the ingest
// server with its final state, name and queue; worker online and offline
// must arrive; no task argument or result text may appear in any request;
// no secret may appear in sluiced's logs; no diagnostic may fire; SIGTERM
// must exit 0.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <map>
#include <nlohmann/json.hpp>

#include "support/blocking_redis.hpp"
#include "support/celery_worker.hpp"
#include "support/child_process.hpp"
#include "support/ingest_jobs.hpp"
#include "support/ingest_server.hpp"
#include "support/redis_server.hpp"
#include "support/temp_dir.hpp"
#include "support/test_paths.hpp"
#include "support/test_pki.hpp"
#include "support/wait_until.hpp"

namespace sluice::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kRedisPassword = "e2e-redis-Secret-7731";
constexpr const char* kConnectionId = "6f1c2a7e-58a4-4c44-9d0e-2b3f9a4c1d11";

bool has_worker_state(const TestIngestServer& server, const std::string& state) {
  for (const auto& text : server.accepted_events()) {
    auto event = json::parse(text);
    if (event["type"] == "worker_state_change" && event["worker"]["state"] == state) return true;
  }
  return false;
}

struct Expected {
  const char* label;
  const char* name;
  const char* state;
};

class PipelineEndToEnd : public ::testing::Test {
 protected:
  PipelineEndToEnd()
      : redis_(RedisServerOptions::with_password(kRedisPassword)),
        server_(IngestServerOptions{true, pki_.server}) {}

  std::unique_ptr<ChildProcess> start_sluiced() {
    const std::string redis_url =
        "redis://:" + std::string(kRedisPassword) + "@127.0.0.1:" + std::to_string(redis_.port()) + "/0";
    return std::make_unique<ChildProcess>(ProcessSpec{
        {SLUICED_BINARY},
        {{"SLUICE_API_KEY", server_.api_key()},
         {"SLUICE_API_URL", server_.base_url()},
         {"SLUICE_CA_FILE", pki_.ca_file()},
         {"SLUICE_CONNECTION_ID", kConnectionId},
         {"SLUICE_REDIS_URL", redis_url},
         {"SLUICE_HEALTH_ADDR", "127.0.0.1:0"},
         {"SLUICE_FLUSH_INTERVAL", "100ms"},
         {"SLUICE_LOG_LEVEL", "debug"}},
        "",
        dir_.file("sluiced.log")});
  }

  TempDir dir_;
  TestPki pki_;
  RedisServer redis_;
  TestIngestServer server_;
};

TEST_F(PipelineEndToEnd, EveryTaskArrivesWithItsFinalStateAndNothingPrivateLeaks) {
  auto sluiced = start_sluiced();
  BlockingRedis probe("127.0.0.1", redis_.port(), "", kRedisPassword);
  ASSERT_TRUE(wait_until([&] { return probe.pattern_subscribers() > 0; }, 20s)) << read_file(dir_.file("sluiced.log"));

  auto celery = CeleryOptions::for_broker(redis_.tcp_url());
  CeleryWorker worker(celery, WorkerOptions{"worker@e2e", "prefork", 2, false});
  // The work comes as soon as the worker is up; nothing waits for its events
  // to be enabled (a user's deployment does not).
  ASSERT_TRUE(wait_until([&] { return has_worker_state(server_, "online"); }, 60s)) << worker.log();

  TempDir workload_dir;
  auto env = std::vector<std::pair<std::string, std::string>>{
      {"SLUICE_TEST_BROKER", celery.broker}, {"PYTHONPATH", source_path("tests/support/celery")}};
  ASSERT_EQ(ChildProcess::run({{"/usr/bin/python3", source_path("tests/support/celery/workload.py")},
                               env, "", workload_dir.file("ids.json")},
                              60s),
            0);
  // The ids are the last line of the output; Celery may warn on stderr before it.
  const std::string output = read_file(workload_dir.file("ids.json"));
  const json ids = json::parse(output.substr(output.rfind("\n{") == std::string::npos ? 0 : output.rfind("\n{") + 1));

  const Expected expected[] = {{"success", "fixture.add", "completed"},
                               {"echo", "fixture.echo", "completed"},
                               {"failure", "fixture.fail", "failed"},
                               {"retry_then_success", "fixture.flaky", "completed"},
                               {"eta", "fixture.add", "completed"},
                               {"revoked", "fixture.add", "cancelled"}};
  auto all_final = [&] {
    auto last = last_job_events(server_);
    for (const auto& e : expected) {
      auto it = last.find(ids[e.label].get<std::string>());
      if (it == last.end() || it->second["job"]["state"] != e.state) return false;
    }
    return true;
  };
  ASSERT_TRUE(wait_until(all_final, 90s)) << worker.log();

  auto last = last_job_events(server_);
  for (const auto& e : expected) {
    const json& job = last[ids[e.label].get<std::string>()]["job"];
    EXPECT_EQ(job["name"], e.name) << e.label;
    EXPECT_EQ(job["queue"], "celery") << e.label;
    EXPECT_EQ(job["workerId"], "worker@e2e") << e.label;
  }
  EXPECT_EQ(last[ids["retry_then_success"].get<std::string>()]["job"]["attempt"], 2);
  EXPECT_TRUE(last[ids["eta"].get<std::string>()]["job"].contains("scheduledFor"));
  EXPECT_EQ(last[ids["failure"].get<std::string>()]["job"]["error"], "ValueError('boom')");

  worker.stop();
  EXPECT_TRUE(wait_until([&] { return has_worker_state(server_, "offline"); }, 30s));

  sluiced->signal(SIGTERM);
  auto status = sluiced->wait_for(30s);
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << *status;

  for (const auto& request : server_.requests()) {
    EXPECT_EQ(request.body.find("SLUICE_PRIVATE_"), std::string::npos) << request.body;
    EXPECT_EQ(request.body.find("'note'"), std::string::npos) << request.body;
  }
  const std::string log = read_file(dir_.file("sluiced.log"));
  EXPECT_FALSE(log.empty());
  EXPECT_EQ(log.find(server_.api_key()), std::string::npos);
  EXPECT_EQ(log.find(kRedisPassword), std::string::npos);
  // A healthy deployment: no diagnostic started (README "Diagnostics").
  EXPECT_EQ(log.find(" diagnostic="), std::string::npos) << log;
}

}  // namespace
}  // namespace sluice::testing
