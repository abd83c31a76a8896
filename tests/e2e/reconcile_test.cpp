// Reconciliation end to end: real Celery workers, a real Redis result
// backend (db 1 of the private redis-server), the sluiced binary and the
// test ingest server. Jobs whose final events never reached sluiced get the
// outcome Celery recorded; unreadable results (pickle) are counted and
// skipped; no task result text ever appears in a request body.

#include <gtest/gtest.h>
#include <signal.h>

#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/blocking_redis.hpp"
#include "support/celery_worker.hpp"
#include "support/child_process.hpp"
#include "support/http_probe.hpp"
#include "support/ingest_server.hpp"
#include "support/prometheus_text.hpp"
#include "support/redis_server.hpp"
#include "support/temp_dir.hpp"
#include "support/test_paths.hpp"
#include "support/test_pki.hpp"
#include "support/wait_until.hpp"
#include "support/sluiced_process.hpp"

namespace sluice::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kConnectionId = "2c9d51f4-6a0e-4b8e-9f7d-0e4a1b3c5d77";
// Distinctive task arguments and return values: never in a request body.
constexpr const char* kResultMark = "RESULT_MARK_4b1d9e";
constexpr const char* kFailMessage = "FAIL_MSG_77e0";

bool is_final(const json& state) { return state == "completed" || state == "failed" || state == "cancelled"; }

class Reconciliation : public ::testing::Test {
 protected:
  explicit Reconciliation(RedisServerOptions redis_options = {})
      : redis_(std::move(redis_options)), server_(IngestServerOptions{true, pki_.server}) {}

  std::string backend_url() const { return "redis://127.0.0.1:" + std::to_string(redis_.port()) + "/1"; }

  CeleryOptions celery(std::vector<std::pair<std::string, std::string>> env = {}) const {
    CeleryOptions options = CeleryOptions::for_broker(redis_.tcp_url());
    options.extra_env = {{"SLUICE_TEST_BACKEND", backend_url()}};
    options.extra_env.insert(options.extra_env.end(), env.begin(), env.end());
    return options;
  }

  void start_sluiced(std::vector<std::pair<std::string, std::string>> more_env) {
    std::vector<std::pair<std::string, std::string>> env = {
        {"SLUICE_API_KEY", server_.api_key()},
        {"SLUICE_API_URL", server_.base_url()},
        {"SLUICE_CA_FILE", pki_.ca_file()},
        {"SLUICE_CONNECTION_ID", kConnectionId},
        {"SLUICE_REDIS_URL", "redis://127.0.0.1:" + std::to_string(redis_.port()) + "/0"},
        {"SLUICE_HEALTH_ADDR", "127.0.0.1:0"},
        {"SLUICE_FLUSH_INTERVAL", "100ms"},
        {"SLUICE_RECONNECT_MAX", "200ms"},
        {"SLUICE_RECONCILE_AFTER", "2s"}};
    env.insert(env.end(), more_env.begin(), more_env.end());
    sluiced_ = std::make_unique<ChildProcess>(ProcessSpec{{SLUICED_BINARY}, env, "", dir_.file("sluiced.log")});
    BlockingRedis probe("127.0.0.1", redis_.port());
    ASSERT_TRUE(wait_until([&] { return probe.pattern_subscribers() > 0; }, 20s)) << log();
    ASSERT_TRUE(wait_until([&] { return (health_port_ = health_port()) != 0; }, 20s)) << log();
  }

  std::string log() const { return read_file(dir_.file("sluiced.log")); }

  std::uint16_t health_port() const { return testing::SluicedProcess::health_port_in(log()); }

  double metric(const std::string& name, const PromLabels& labels = {}) {
    auto parsed = parse_prometheus_text(http_get(health_port_, "/metrics").body);
    if (!parsed) return -1;
    return parsed->value(name, labels).value_or(-1);
  }

  bool has_warning(const std::string& id) {
    const json doc = json::parse(http_get(health_port_, "/health").body, nullptr, false);
    if (!doc.is_object() || !doc.contains("warnings")) return false;
    for (const auto& warning : doc["warnings"]) {
      if (warning["id"] == id) return true;
    }
    return false;
  }

  // The last job event the ingest server accepted for each task id.
  std::map<std::string, json> last_jobs() const {
    std::map<std::string, json> last;
    for (const auto& text : server_.accepted_events()) {
      auto event = json::parse(text);
      if (event["type"] == "job_state_change") last[event["job"]["externalId"]] = event["job"];
    }
    return last;
  }

  std::size_t count_final(const std::vector<std::string>& ids) const {
    const auto last = last_jobs();
    std::size_t n = 0;
    for (const auto& id : ids) {
      auto it = last.find(id);
      if (it != last.end() && is_final(it->second["state"])) ++n;
    }
    return n;
  }

  std::size_t count_reconciled(const std::vector<std::string>& ids) const {
    const auto last = last_jobs();
    std::size_t n = 0;
    for (const auto& id : ids) {
      auto it = last.find(id);
      if (it != last.end() && it->second.contains("extensions") &&
          it->second["extensions"].value("source", "") == "result_backend") {
        ++n;
      }
    }
    return n;
  }

  void expect_no_result_text() const {
    for (const auto& request : server_.requests()) {
      ASSERT_EQ(request.body.find(kResultMark), std::string::npos) << request.body;
    }
  }

  // Sends `count` echo tasks (kResultMark as argument and return value)
  // and `failures` failing ones; their ids.
  std::vector<std::string> send_tasks(const CeleryOptions& options, int count, int failures) {
    std::vector<std::string> ids;
    CeleryProducer echo(options, "fixture.echo", {json(kResultMark).dump()}, count);
    CeleryProducer fail(options, "fixture.fail", {json(kFailMessage).dump()}, failures);
    EXPECT_TRUE(echo.wait_done(60s));
    EXPECT_TRUE(fail.wait_done(60s));
    ids = echo.task_ids();
    const auto failed = fail.task_ids();
    failed_ids_.assign(failed.begin(), failed.end());
    ids.insert(ids.end(), failed.begin(), failed.end());
    EXPECT_EQ(ids.size(), static_cast<std::size_t>(count + failures));
    return ids;
  }

  void stop_sluiced() {
    if (!sluiced_) return;
    sluiced_->signal(SIGTERM);
    EXPECT_TRUE(sluiced_->wait_for(30s).has_value());
  }

  TempDir dir_;
  TestPki pki_;
  RedisServer redis_;
  TestIngestServer server_;
  std::unique_ptr<ChildProcess> sluiced_;
  std::uint16_t health_port_ = 0;
  std::vector<std::string> failed_ids_;
};

// 200 tasks queued before a worker started without -E: its first tasks run
// before any enable_events reaches it, so their events never exist. The
// test does not wait for "enabled by remote", as no user's system does.
TEST_F(Reconciliation, WorkerStartingWithABacklogEveryTaskReachesItsFinalState) {
  start_sluiced({{"SLUICE_RESULT_BACKEND_URL", backend_url()}});
  const auto options = celery();
  const auto ids = send_tasks(options, 180, 20);
  CeleryWorker worker(options, WorkerOptions{"worker@reconcile", "prefork", 4, false});

  ASSERT_TRUE(wait_until([&] { return count_final(ids) == ids.size(); }, 180s))
      << count_final(ids) << " of " << ids.size() << " final\n" << log();
  const std::size_t reconciled = count_reconciled(ids);
  std::cout << "[ report ] with a result backend: " << ids.size() << " of " << ids.size() << " final, "
            << reconciled << " from the result backend, " << ids.size() - reconciled << " from events\n";
  RecordProperty("reconciled", static_cast<int>(reconciled));
  const auto last = last_jobs();
  for (const auto& id : failed_ids_) {
    EXPECT_EQ(last.at(id)["state"], "failed") << id;
    EXPECT_EQ(last.at(id)["error"], "ValueError('" + std::string(kFailMessage) + "')") << id;
  }
  EXPECT_EQ(metric("sluiced_jobs_reconciled_total"), static_cast<double>(reconciled));
  EXPECT_FALSE(has_warning("stale_jobs"));
  worker.stop();
  stop_sluiced();
  expect_no_result_text();
}

// The same start without a result backend: how many tasks reach their final
// state from events alone is Celery's doing, so it is reported, not
// asserted; the stale jobs show as a /health warning.
TEST_F(Reconciliation, WithoutABackendStaleJobsAreReportedInHealth) {
  start_sluiced({});
  const auto options = celery();
  const auto ids = send_tasks(options, 180, 20);
  CeleryWorker worker(options, WorkerOptions{"worker@reconcile", "prefork", 4, false});
  BlockingRedis results("127.0.0.1", redis_.port());
  results.command({"SELECT", "1"});
  // Celery has run every task once all 200 results are stored.
  ASSERT_TRUE(wait_until([&] { return results.command({"DBSIZE"}).as_integer() == 200; }, 180s)) << worker.log();
  const bool all_final = wait_until([&] { return count_final(ids) == ids.size(); }, 10s);
  std::cout << "[ report ] without a result backend: " << count_final(ids) << " of " << ids.size()
            << " final from events alone\n";
  RecordProperty("final_without_backend", static_cast<int>(count_final(ids)));
  if (!all_final) {
    EXPECT_TRUE(wait_until([&] { return has_warning("stale_jobs"); }, 30s)) << log();
    EXPECT_GT(metric("sluiced_stale_jobs"), 0);
  }
  EXPECT_EQ(metric("sluiced_jobs_reconciled_total"), 0);
  worker.stop();
  stop_sluiced();
  expect_no_result_text();
}

// Pickled results are never unpickled: every lookup is counted as `pickle`
// and the job stays as events left it. With enable_events off and a worker
// without -E, sluiced sees only task-sent, so every job is looked up.
TEST_F(Reconciliation, PickledResultsAreCountedAndSkipped) {
  start_sluiced({{"SLUICE_RESULT_BACKEND_URL", backend_url()}, {"SLUICE_ENABLE_EVENTS", "false"}});
  const auto options = celery({{"SLUICE_TEST_RESULT_SERIALIZER", "pickle"}});
  const auto ids = send_tasks(options, 10, 2);
  CeleryWorker worker(options, WorkerOptions{"worker@reconcile", "prefork", 2, false});
  ASSERT_TRUE(wait_until([&] { return metric("sluiced_reconcile_lookups_total", {{"outcome", "pickle"}}) >= 12; }, 120s))
      << log();
  EXPECT_EQ(count_final(ids), 0u);
  EXPECT_EQ(metric("sluiced_jobs_reconciled_total"), 0);
  worker.stop();
  stop_sluiced();
  expect_no_result_text();
}

class LostEvents : public Reconciliation {
 protected:
  // Redis cuts a subscriber whose output buffer stays over 16 KiB for 1 s.
  LostEvents() : Reconciliation(small_pubsub_buffer()) {}

  static RedisServerOptions small_pubsub_buffer() {
    RedisServerOptions options;
    options.extra_args = {"--client-output-buffer-limit", "pubsub 64kb 16kb 1"};
    return options;
  }
};

// sluiced frozen (SIGSTOP) for 20 s while tasks run: Redis cuts its
// subscription and every event of those seconds is gone. After SIGCONT,
// every task sluiced had seen before the freeze ends in its real state.
TEST_F(LostEvents, FrozenSluicedCutOffByRedisStillReportsEveryOutcome) {
  start_sluiced({{"SLUICE_RESULT_BACKEND_URL", backend_url()}});
  const auto options = celery();
  CeleryWorker worker(options, WorkerOptions{"worker@lost", "prefork", 2, true});
  CeleryProducer slow(options, "fixture.slow_echo", {json(kResultMark).dump(), "0.5"}, 40);
  ASSERT_TRUE(slow.wait_done(60s));
  const auto ids = slow.task_ids();
  ASSERT_EQ(ids.size(), 40u);
  // Seen before the freeze: every task's job event reached the ingest server.
  ASSERT_TRUE(wait_until([&] { return last_jobs().size() >= ids.size(); }, 30s)) << log();

  sluiced_->signal(SIGSTOP);
  BlockingRedis publisher("127.0.0.1", redis_.port());
  // 32 MiB, more than the kernel's socket buffers take from Redis for the
  // frozen reader, so Redis' own output buffer passes its limit. Not Celery
  // events: counted as decode errors if ever read.
  const std::string filler(64 * 1024, 'x');
  for (int i = 0; i < 512; ++i) publisher.publish("/0.celeryev/worker.heartbeat", filler);
  std::this_thread::sleep_for(20s);  // the freeze itself, not a wait for a condition
  sluiced_->signal(SIGCONT);

  const auto stats = publisher.command({"INFO", "stats"});
  ASSERT_NE(stats.text(), nullptr);
  EXPECT_EQ(stats.text()->find("client_output_buffer_limit_disconnections:0"), std::string::npos) << *stats.text();

  ASSERT_TRUE(wait_until([&] { return count_final(ids) == ids.size(); }, 120s))
      << count_final(ids) << " of " << ids.size() << " final\n" << log();
  for (const auto& [id, job] : last_jobs()) {
    if (std::find(ids.begin(), ids.end(), id) != ids.end()) {
      EXPECT_EQ(job["state"], "completed") << id;
    }
  }
  const std::size_t reconciled = count_reconciled(ids);
  std::cout << "[ report ] events lost while frozen: " << reconciled << " of " << ids.size()
            << " tasks reconciled from the result backend\n";
  EXPECT_GT(reconciled, 0u);
  EXPECT_GE(metric("sluiced_redis_reconnects_total"), 1);
  EXPECT_EQ(metric("sluiced_jobs_reconciled_total"), static_cast<double>(reconciled));
  EXPECT_NE(log().find("stale jobs looked up in the result backend"), std::string::npos) << log();
  worker.stop();
  stop_sluiced();
  expect_no_result_text();
}

}  // namespace
}  // namespace sluice::testing
