// The spool with the real daemon: API outages across SIGTERM and SIGKILL
// restarts, and disks that fail under it (docs/spool.md). Events are
// published as Celery publishes them; the API is the local HTTPS test
// server, down or up on command.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <map>
#include <nlohmann/json.hpp>
#include <filesystem>
#include <fstream>
#include <set>

#include "support/blocking_redis.hpp"
#include "support/celery_events.hpp"
#include "support/child_process.hpp"
#include "support/http_probe.hpp"
#include "support/ingest_env.hpp"
#include "support/ingest_server.hpp"
#include "support/redis_server.hpp"
#include "support/sluiced_daemon.hpp"
#include "support/sluiced_process.hpp"
#include "support/temp_dir.hpp"
#include "support/test_paths.hpp"
#include "support/test_pki.hpp"
#include "support/wait_until.hpp"

namespace sluice::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

std::string task_id(int n) { return "5f0c3b7e-0000-4000-8000-" + std::to_string(100000000000LL + n); }

class SpoolE2e : public ::testing::Test {
 protected:
  SpoolE2e() : server(IngestServerOptions{true, pki.server}), publisher("127.0.0.1", redis.port()) {}

  std::string redis_url() const { return "redis://127.0.0.1:" + std::to_string(redis.port()) + "/0"; }

  SluicedDaemon::Env env(const std::string& spool_dir) const {
    return ingest_env(server, pki.ca_file(),
                      {{"SLUICE_SPOOL_DIR", spool_dir},
                       {"SLUICE_SPOOL_SYNC_INTERVAL", "100ms"},
                       {"SLUICE_FLUSH_INTERVAL", "50ms"},
                       {"SLUICE_SHUTDOWN_TIMEOUT", "1s"},
                       // Memory holds little, so most of an outage's events wait on disk.
                       {"SLUICE_BUFFER_MAX_EVENTS", "200"},
                       {"SLUICE_ENABLE_EVENTS", "false"},
                       {"SLUICE_QUEUE_DEPTH", "false"}});
  }
  std::unique_ptr<SluicedDaemon> start(const std::string& spool_dir, SluicedDaemon::Env more = {}) {
    auto all = env(spool_dir);
    all.insert(all.end(), more.begin(), more.end());
    auto daemon = std::make_unique<SluicedDaemon>(redis_url(), all);
    EXPECT_TRUE(daemon->started()) << daemon->log();
    EXPECT_TRUE(wait_until([&] { return publisher.pattern_subscribers() > 0; }, 20s)) << daemon->log();
    return daemon;
  }

  // task-sent, -received and -started of tasks [first, first + count).
  void start_tasks(int first, int count) {
    for (int n = first; n < first + count; ++n) {
      publish_event(publisher, task_event("task-sent", task_id(n), "client@e2e"));
      publish_event(publisher, task_event("task-received", task_id(n), "w1@e2e"));
      publish_event(publisher, task_event("task-started", task_id(n), "w1@e2e"));
    }
  }
  void finish_tasks(int first, int count) {
    for (int n = first; n < first + count; ++n) {
      publish_event(publisher, task_event("task-succeeded", task_id(n), "w1@e2e"));
    }
  }

  // The daemon has read `published` events and every event it made of them
  // is on disk, next to `held` from earlier runs (the API is down: nothing
  // is acknowledged).
  static bool spooled_all(const SluicedDaemon& daemon, double published, double held) {
    return daemon.total("sluiced_events_received_total") >= published &&
           daemon.total("sluiced_spool_events") >= held + daemon.total("sluiced_ingest_events_by_state_total");
  }

  // The events a start found in the spool, from its log line (0 if none).
  static double recovered_events(const std::string& log) {
    const auto line = log.find("events of the previous run will be sent first");
    if (line == std::string::npos) return 0;
    const auto at = log.find("events=", line);
    return at == std::string::npos ? 0 : std::stod(log.substr(at + 7));
  }

  // Job events at the sink per task id, in arrival order.
  std::map<std::string, std::vector<json>> jobs_at_sink() const {
    std::map<std::string, std::vector<json>> jobs;
    for (const auto& text : server.accepted_events()) {
      const json event = json::parse(text);
      if (event["type"] == "job_state_change") jobs[event["job"]["externalId"]].push_back(event["job"]);
    }
    return jobs;
  }
  bool completed(int first, int count) const {
    const auto jobs = jobs_at_sink();
    for (int n = first; n < first + count; ++n) {
      const auto it = jobs.find(task_id(n));
      if (it == jobs.end() || it->second.empty() || it->second.back()["state"] != "completed") return false;
    }
    return true;
  }
  // Each job's states in order (a repeat after a crash is allowed), ending completed.
  void expect_ordered(int first, int count) const {
    const auto jobs = jobs_at_sink();
    const std::map<std::string, int> rank = {{"queued", 0}, {"active", 1}, {"completed", 2}};
    for (int n = first; n < first + count; ++n) {
      const auto it = jobs.find(task_id(n));
      ASSERT_NE(it, jobs.end()) << task_id(n);
      int last = -1;
      for (const json& job : it->second) {
        const int r = rank.at(job["state"].get<std::string>());
        EXPECT_GE(r, last) << task_id(n) << " went back to " << job["state"];
        last = std::max(last, r);
      }
      EXPECT_EQ(last, 2) << task_id(n);
    }
  }

  TempDir dir;
  TestPki pki;
  RedisServer redis;
  TestIngestServer server;
  BlockingRedis publisher;
};

TEST_F(SpoolE2e, ARestartDuringAnOutageLosesNothing) {
  server.stop_listening();
  const std::string spool = dir.file("spool");
  auto first = start(spool);
  start_tasks(0, 150);
  finish_tasks(0, 100);  // 100 finish before the restart, 50 after it
  ASSERT_TRUE(wait_until([&] { return spooled_all(*first, 550, 0); }, 20s)) << first->log();
  first->process().stop();
  const std::string log = first->log();
  EXPECT_NE(log.find("stay in the spool for the next start"), std::string::npos) << log;
  EXPECT_NE(log.find("undelivered_events=0"), std::string::npos) << log;

  server.resume_listening();
  auto second = start(spool);
  finish_tasks(100, 50);
  ASSERT_TRUE(wait_until([&] { return completed(0, 150); }, 30s)) << second->log();
  expect_ordered(0, 150);
  // Jobs that began before the restart and ended after it keep their name and queue.
  for (const auto& [id, events] : jobs_at_sink()) {
    for (const json& job : events) {
      EXPECT_EQ(job.value("name", ""), "fixture.add") << job.dump();
      EXPECT_EQ(job.value("queue", ""), "celery") << job.dump();
    }
  }
  EXPECT_EQ(second->total("sluiced_snapshot_restored_entries"), 51) << second->log();  // 50 tasks, 1 worker
  EXPECT_NE(second->log().find("restored the task and worker tables"), std::string::npos) << second->log();
  EXPECT_EQ(second->total("sluiced_events_dropped_total"), 0) << second->log();
  EXPECT_GE(second->total("sluiced_spool_replayed_events_total"), 400);
  EXPECT_NE(second->log().find("events of the previous run will be sent first"), std::string::npos);
  EXPECT_EQ(second->log().find("did not stop cleanly"), std::string::npos) << second->log();
  ASSERT_TRUE(wait_until([&] { return second->total("sluiced_spool_events") == 0; }, 10s));
}

// SIGKILL at five moments while events flow into a spool whose 64 KiB
// segments rotate every few hundred events. What the daemon had spooled
// before each burst arrives; the burst in flight at the kill may be lost,
// and the next start says how many at most.
TEST_F(SpoolE2e, KillsDuringAnOutageLoseAtMostTheLastSyncInterval) {
  server.stop_listening();
  const std::string spool = dir.file("spool");
  const SluicedDaemon::Env small = {{"SLUICE_SPOOL_MAX_BYTES", "1MiB"}};
  int published = 0;
  std::vector<std::pair<int, int>> spooled_before_kill;  // (first task, count) of each guaranteed burst
  for (int round = 0; round < 5; ++round) {
    auto daemon = start(spool, small);
    if (round > 0) {
      EXPECT_NE(daemon->log().find("did not stop cleanly"), std::string::npos) << daemon->log();
    }
    // What this run found on disk (its gauge may not show it yet).
    const double held = recovered_events(daemon->log());
    start_tasks(published, 60);
    finish_tasks(published, 60);
    ASSERT_TRUE(wait_until([&] { return spooled_all(*daemon, 240, held); }, 20s)) << daemon->log();
    spooled_before_kill.emplace_back(published, 60);
    published += 60;
    // The next burst is on its way when the kill comes, a different share of it each round.
    start_tasks(published, 10 + round * 7);
    finish_tasks(published, 10 + round * 7);
    published += 10 + round * 7;
    daemon->process().signal(SIGKILL);
    daemon->process().wait_for(10s);
  }
  server.resume_listening();
  auto last = start(spool, small);
  ASSERT_TRUE(wait_until(
      [&] {
        for (const auto& [first, count] : spooled_before_kill) {
          if (!completed(first, count)) return false;
        }
        return true;
      },
      60s))
      << last->log();
  for (const auto& [first, count] : spooled_before_kill) expect_ordered(first, count);
  EXPECT_EQ(last->total("sluiced_events_dropped_total"), 0) << last->log();
}

TEST_F(SpoolE2e, AnUnusableSpoolDirectoryMeansMemoryAndAWarning) {
  // A file where the directory should be: nothing can be created there.
  const std::string spool = dir.file("spool");
  { std::ofstream(spool) << "not a directory"; }
  auto daemon = start(spool);
  start_tasks(0, 20);
  finish_tasks(0, 20);
  ASSERT_TRUE(wait_until([&] { return completed(0, 20); }, 20s)) << daemon->log();
  const HttpReply health = http_get(daemon->health_port(), "/health");
  EXPECT_NE(health.body.find("spool_unavailable"), std::string::npos) << health.body;
  EXPECT_NE(health.body.find("\"writable\":false"), std::string::npos) << health.body;
  EXPECT_EQ(daemon->total("sluiced_spool_degraded"), 1);
  EXPECT_GE(daemon->total("sluiced_spool_write_errors_total"), 1);
  EXPECT_NE(daemon->log().find("spool unavailable"), std::string::npos);
}

TEST_F(SpoolE2e, TheDirectoryRemovedWhileRunningMeansMemoryUntilItIsBack) {
  const std::string spool = dir.file("spool");
  auto daemon = start(spool);
  start_tasks(0, 20);
  finish_tasks(0, 20);
  ASSERT_TRUE(wait_until([&] { return completed(0, 20); }, 20s)) << daemon->log();
  std::filesystem::remove_all(spool);
  // The write segment is replaced every sync interval while the API keeps
  // up: the next one cannot be created.
  start_tasks(20, 20);
  ASSERT_TRUE(wait_until([&] { return daemon->total("sluiced_spool_write_errors_total") >= 1; }, 20s))
      << daemon->log();
  finish_tasks(20, 20);
  ASSERT_TRUE(wait_until([&] { return completed(0, 40); }, 20s)) << daemon->log();
  // It recreates the directory on its next try (every 5 s).
  ASSERT_TRUE(wait_until([&] { return daemon->total("sluiced_spool_degraded") == 0; }, 20s)) << daemon->log();
  EXPECT_EQ(daemon->health_status(), 200);
}

// ENOSPC from a real file system: a 128 KiB tmpfs of a private mount
// namespace, where the daemon runs (it needs `unshare` and the right to
// mount, which root or user namespaces give; skipped otherwise).
TEST_F(SpoolE2e, AFullDiskMeansMemoryAndAWarning) {
  const std::string spool = dir.file("spool");
  std::filesystem::create_directories(spool);
  const std::string probe_cmd = "mount -t tmpfs -o size=128k none '" + spool + "' && umount '" + spool + "'";
  if (ChildProcess::run(ProcessSpec{{"unshare", "--mount", "--map-root-user", "sh", "-c", probe_cmd}, {}, "", ""}) !=
      0) {
    GTEST_SKIP() << "cannot mount a tmpfs in a private mount namespace here (unshare --mount)";
  }
  server.stop_listening();
  auto env_all = env(spool);
  ChildProcess daemon(ProcessSpec{
      {"unshare", "--mount", "--map-root-user", "sh", "-c",
       "mount -t tmpfs -o size=128k none \"$SLUICE_SPOOL_DIR\" && exec \"$0\"", SLUICED_BINARY},
      [&] {
        auto e = env_all;
        e.emplace_back("SLUICE_REDIS_URL", redis_url());
        e.emplace_back("SLUICE_CONNECTION_ID", "0b7e3f0c-4d7a-4f55-9a43-5c2e1f6d8a90");
        e.emplace_back("SLUICE_HEALTH_ADDR", "127.0.0.1:0");
        return e;
      }(),
      "",
      dir.file("sluiced.log")});
  std::uint16_t port = 0;
  ASSERT_TRUE(wait_until([&] { return (port = SluicedProcess::health_port_in(read_file(dir.file("sluiced.log")))) != 0; }, 20s))
      << read_file(dir.file("sluiced.log"));
  ASSERT_TRUE(wait_until([&] { return publisher.pattern_subscribers() > 0; }, 20s));
  // Far more than 128 KiB of spool: the disk fills during the outage.
  for (int burst = 0; burst < 20 && http_get(port, "/health").body.find("spool_unavailable") == std::string::npos;
       ++burst) {
    start_tasks(burst * 1000, 1000);  // ~40 KiB of spool each
    finish_tasks(burst * 1000, 1000);
    wait_until([&] { return http_get(port, "/health").body.find("spool_unavailable") != std::string::npos; }, 1s);
  }
  const HttpReply health = http_get(port, "/health");
  EXPECT_NE(health.body.find("spool_unavailable"), std::string::npos) << health.body;
  EXPECT_NE(read_file(dir.file("sluiced.log")).find("No space left on device"), std::string::npos)
      << read_file(dir.file("sluiced.log"));
  EXPECT_TRUE(daemon.running());
  // Delivery goes on when the API is back.
  server.resume_listening();
  ASSERT_TRUE(wait_until([&] { return !server.accepted_events().empty(); }, 20s));
  EXPECT_TRUE(daemon.running());
}

}  // namespace
}  // namespace sluice::testing
