// Redis Sentinel end to end: a master, a replica and three sentinels (real
// redis-server processes), a real Celery worker and producer on Celery's
// sentinel:// broker URL, the sluiced binary on the same URL and the test
// ingest server. A failover — SENTINEL FAILOVER, or the master SIGKILLed —
// while tasks flow: sluiced follows the new master, every task the worker
// finished reaches the sink in its final state, and sluiced's enable_events
// broadcasts reach the worker on the new master. Durations are printed for
// the report, never asserted.

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <iostream>
#include <algorithm>
#include <map>
#include <set>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <ctime>
#include <iomanip>
#include <sstream>

#include "common/uuid.hpp"
#include "source/pidbox_message.hpp"
#include "support/blocking_redis.hpp"
#include "support/celery_worker.hpp"
#include "support/child_process.hpp"
#include "support/http_probe.hpp"
#include "support/ingest_server.hpp"
#include "support/prometheus_text.hpp"
#include "support/sentinel_cluster.hpp"
#include "support/ingest_env.hpp"
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
using Clock = std::chrono::steady_clock;

constexpr const char* kConnectionId = "7f3c2a10-5b6d-4e8f-9a1b-2c3d4e5f6a7b";

bool is_final(const json& state) { return state == "completed" || state == "failed" || state == "cancelled"; }

double seconds_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

class SentinelFailover : public ::testing::Test {
 protected:
  SentinelFailover() : server_(IngestServerOptions{true, pki_.server}) {}

  void SetUp() override {
    start_sluiced();
    celery_.broker = cluster_.url();
    celery_.transport_options = json{{"master_name", SentinelCluster::kMasterName}}.dump();
    // As an application on Sentinel must: Celery's default publish retry
    // gives up after ~0.6 s, before the sentinels have promoted a replica
    // (apply_async raises OperationalError). 40 retries 0.2 s apart span a
    // failover with these sentinels' settings several times over.
    celery_.extra_env.emplace_back(
        "SLUICE_TEST_PUBLISH_RETRY",
        json{{"max_retries", 40}, {"interval_start", 0}, {"interval_step", 0.2}, {"interval_max", 0.2}}.dump());
    // Without -E: task events only once sluiced's enable_events reached it.
    worker_ = std::make_unique<CeleryWorker>(celery_, WorkerOptions{"worker@sentinel", "prefork", 2, false});
  }

  void start_sluiced() {
    const Env env = {{"SLUICE_API_KEY", server_.api_key()},
                     {"SLUICE_API_URL", server_.base_url()},
                     {"SLUICE_CA_FILE", pki_.ca_file()},
                     {"SLUICE_CONNECTION_ID", kConnectionId},
                     {"SLUICE_REDIS_URL", cluster_.url()},
                     {"SLUICE_REDIS_SENTINEL_MASTER", SentinelCluster::kMasterName},
                     {"SLUICE_HEALTH_ADDR", "127.0.0.1:0"},
                     {"SLUICE_FLUSH_INTERVAL", "100ms"},
                     {"SLUICE_RECONNECT_MAX", "500ms"},
                     {"SLUICE_ENABLE_EVENTS_INTERVAL", "1s"},
                     {"SLUICE_LOG_LEVEL", "debug"}};
    sluiced_ = std::make_unique<ChildProcess>(ProcessSpec{{SLUICED_BINARY}, env, "", dir_.file("sluiced.log")});
    ASSERT_TRUE(wait_until([&] { return (health_port_ = SluicedProcess::health_port_in(log())) != 0; }, 20s))
        << log();
    ASSERT_TRUE(wait_until([&] { return master_in_health() == node_text(0); }, 20s)) << health() << log();
  }

  std::string log() const { return read_file(dir_.file("sluiced.log")); }
  json health() const { return json::parse(http_get(health_port_, "/health").body, nullptr, false); }

  std::string node_text(int index) { return "127.0.0.1:" + std::to_string(cluster_.node(index).port()); }

  std::string master_in_health() const {
    const json doc = health();
    if (!doc.is_object() || !doc.contains("sentinel") || !doc["sentinel"]["master"].is_string()) return "";
    return doc["sentinel"]["master"];
  }

  double metric(const std::string& name, const PromLabels& labels = {}) const {
    auto parsed = parse_prometheus_text(http_get(health_port_, "/metrics").body);
    if (!parsed) return -1;
    return parsed->value(name, labels).value_or(-1);
  }

  // The last job state the ingest server accepted for each task id.
  std::map<std::string, std::string> last_states() const {
    std::map<std::string, std::string> last;
    for (const auto& text : server_.accepted_events()) {
      auto event = json::parse(text);
      if (event["type"] == "job_state_change") last[event["job"]["externalId"]] = event["job"]["state"];
    }
    return last;
  }

  std::size_t count_final(const std::vector<std::string>& ids) const {
    const auto last = last_states();
    std::size_t n = 0;
    for (const auto& id : ids) {
      auto it = last.find(id);
      if (it != last.end() && is_final(it->second)) ++n;
    }
    return n;
  }

  // Ids of the tasks the worker reports finished (its own log, whose
  // time stamps are local wall time) at or after `since`.
  std::vector<std::string> finished_by_worker(std::chrono::system_clock::time_point since) const {
    static const std::regex finished(
        R"(\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3}): [^\]]*\] Task fixture\.add\[([0-9a-f-]{36})\] (succeeded|raised))");
    const std::string text = worker_->log();
    std::vector<std::string> ids;
    for (std::sregex_iterator it(text.begin(), text.end(), finished), end; it != end; ++it) {
      std::tm parts{};
      std::istringstream stamp((*it)[1].str());
      stamp >> std::get_time(&parts, "%Y-%m-%d %H:%M:%S");
      parts.tm_isdst = -1;
      const auto at = std::chrono::system_clock::from_time_t(std::mktime(&parts)) +
                      std::chrono::milliseconds(std::stoi((*it)[2].str()));
      if (at >= since) ids.push_back((*it)[3]);
    }
    return ids;
  }

  // The worker listens for broadcasts on the master on `port`.
  // The worker's pidbox consumer is on `port`: kombu listens there with a
  // pattern (PSUBSCRIBE, so PUBSUB NUMSUB does not see it); sluiced's own
  // connections are named sluiced-*.
  static bool worker_listens_on(std::uint16_t port) {
    BlockingRedis node("127.0.0.1", port);
    const auto reply = node.command({"CLIENT", "LIST"});
    if (!reply.text()) return false;
    std::istringstream lines(*reply.text());
    for (std::string line; std::getline(lines, line);) {
      const auto psub = line.find(" psub=");
      if (psub == std::string::npos || line.find(" name=sluiced") != std::string::npos) continue;
      if (std::atoi(line.c_str() + psub + 6) > 0) return true;
    }
    return false;
  }

  // Turns the worker's task events off (a disable_events broadcast on the
  // master, both kombu spellings), then waits for a task sent afterwards to
  // complete at the sink: only sluiced's next enable_events, on the master
  // the worker is on now, can turn them on again.
  void expect_broadcasts_reach_the_worker(std::uint16_t master_port, const CeleryProducer& flow) {
    BlockingRedis master("127.0.0.1", master_port);
    std::mt19937_64 rng(7);
    std::int64_t receivers = 0;
    const std::size_t sent_before = flow.task_ids().size();
    for (const std::string channel : {"/0.celery.pidbox", "/{db}.celery.pidbox"}) {
      const source::PidboxBroadcast off{"disable_events", "celery.pidbox", 1, 0, random_uuid4(rng)};
      receivers += master.publish(channel, source::pidbox_message(off));
    }
    ASSERT_GE(receivers, 1) << "the worker is not on the new master";
    const auto disabled_at = Clock::now();
    const auto sent_later = [&] {
      const auto ids = flow.task_ids();
      return std::vector<std::string>(ids.begin() + static_cast<std::ptrdiff_t>(std::min(sent_before, ids.size())),
                                      ids.end());
    };
    EXPECT_TRUE(wait_until([&] { return count_final(sent_later()) > 0; }, 20s))
        << "no enable_events reached the worker on the new master\n" << worker_->log() << log();
    std::cout << "[ report ] task events back on " << seconds_between(disabled_at, Clock::now())
              << " s after the test's disable_events\n";
  }

  // Every task the worker finished since the promotion reached the sink in
  // its final state (those it finished while its master was gone had their
  // events lost on the worker's side, before any failover).
  void expect_every_finished_task_at_the_sink(std::chrono::system_clock::time_point promoted) {
    const auto finished = finished_by_worker(promoted);
    EXPECT_FALSE(finished.empty()) << worker_->log();
    EXPECT_TRUE(wait_until([&] { return count_final(finished) == finished.size(); }, 20s))
        << count_final(finished) << " of " << finished.size() << " tasks the worker finished are final\n" << log();
    std::cout << "[ report ] " << count_final(finished) << " of " << finished.size()
              << " tasks the worker finished after the promotion reached the sink in their final state\n";
  }

  // Waits for node 1's promotion, then for sluiced to follow; reports both
  // and returns the promotion's wall time.
  std::chrono::system_clock::time_point follow_to_node_1(Clock::time_point failover_started, const std::string& how) {
    const std::uint16_t new_master = cluster_.node(1).port();
    EXPECT_TRUE(wait_until([&] { return cluster_.is_master(new_master); }, 30s)) << how;
    const auto promoted = Clock::now();
    const auto promoted_wall = std::chrono::system_clock::now();
    EXPECT_TRUE(wait_until([&] { return master_in_health() == node_text(1); }, 30s)) << health() << log();
    const auto followed = Clock::now();
    const std::size_t events_before = server_.accepted_events().size();
    EXPECT_TRUE(wait_until([&] { return server_.accepted_events().size() > events_before; }, 30s)) << log();
    const auto flowing = Clock::now();
    std::cout << "[ report ] " << how << ": promotion " << seconds_between(failover_started, promoted)
              << " s after the start; sluiced on the new master " << seconds_between(promoted, followed)
              << " s after the promotion; next event at the sink " << seconds_between(promoted, flowing)
              << " s after the promotion\n";
    EXPECT_EQ(metric("sluiced_redis_master_failovers_total", {{"target", "broker"}}), 1);
    EXPECT_EQ(metric("sluiced_redis_master", {{"target", "broker"}, {"node", node_text(1)}}), 1);
    EXPECT_EQ(metric("sluiced_redis_master", {{"target", "broker"}, {"node", node_text(0)}}), -1);
    return promoted_wall;
  }

  // After the failover: the worker comes to the new master (on a SENTINEL
  // FAILOVER only once the sentinels turn the old one into a replica, ~10 s
  // later), every task it finished since is at the sink, and sluiced's
  // broadcasts reach it there.
  void expect_the_new_master_serves(std::chrono::system_clock::time_point promoted, const CeleryProducer& flow) {
    const std::uint16_t new_master = cluster_.node(1).port();
    ASSERT_TRUE(wait_until([&] { return worker_listens_on(new_master); }, 40s)) << worker_->log();
    const std::size_t sent = flow.task_ids().size();
    ASSERT_TRUE(wait_until([&] { return flow.task_ids().size() >= sent + 5; }, 20s));  // a few on the new master
    expect_every_finished_task_at_the_sink(promoted);
    expect_broadcasts_reach_the_worker(new_master, flow);
  }

  TempDir dir_;
  TestPki pki_;
  SentinelCluster cluster_;
  TestIngestServer server_;
  std::unique_ptr<ChildProcess> sluiced_;
  std::uint16_t health_port_ = 0;
  CeleryOptions celery_;
  std::unique_ptr<CeleryWorker> worker_;
};

// The sentinels promote the replica; the old master serves the worker until
// they turn it into a replica (~10 s later, when they next look at it).
TEST_F(SentinelFailover, SentinelFailoverWhileTasksFlow) {
  CeleryProducer flow(celery_, "fixture.add", {"1", "2"}, 0, 0.1);
  ASSERT_TRUE(wait_until([&] { return count_final(flow.task_ids()) >= 5; }, 30s)) << worker_->log() << log();
  const auto started = Clock::now();
  ASSERT_EQ(cluster_.failover(), "OK");
  expect_the_new_master_serves(follow_to_node_1(started, "SENTINEL FAILOVER"), flow);
}

// The master dies: the sentinels promote the replica once it has been
// unreachable for down-after-milliseconds; the worker and the producer
// (publishing with a retry policy that spans the failover) reconnect there.
TEST_F(SentinelFailover, MasterKilledWhileTasksFlow) {
  CeleryProducer flow(celery_, "fixture.add", {"1", "2"}, 0, 0.1);
  ASSERT_TRUE(wait_until([&] { return count_final(flow.task_ids()) >= 5; }, 30s)) << worker_->log() << log();
  const auto killed = Clock::now();
  ASSERT_EQ(kill(cluster_.node(0).pid(), SIGKILL), 0);
  expect_the_new_master_serves(follow_to_node_1(killed, "master SIGKILLed"), flow);
}

// Sentinels and data nodes on TLS ports only, the sentinels with a
// password of their own: sluiced (SLUICE_REDIS_SENTINEL_TLS,
// SLUICE_REDIS_MASTER_TLS, SLUICE_REDIS_SENTINEL_PASSWORD) finds the master
// and subscribes there, its enable_events broadcast reaches a real Celery
// worker (kombu's sentinel_kwargs with ssl and password, broker_use_ssl),
// the worker's task events arrive at the sink, and the sentinels' password
// appears nowhere in sluiced's output.
TEST(SentinelOverTls, EventsArriveWithTlsEverywhereAndASentinelPassword) {
  const std::string sentinel_password = "sentinel-pw-5c7e19";
  SentinelCluster cluster(SentinelClusterOptions{true, sentinel_password});
  TestPki pki;
  TestIngestServer server(IngestServerOptions{true, pki.server});
  SluicedDaemon sluiced(cluster.url() + "/0",
                        ingest_env(server, pki.ca_file(),
                                   {{"SLUICE_REDIS_SENTINEL_MASTER", SentinelCluster::kMasterName},
                                    {"SLUICE_REDIS_SENTINEL_PASSWORD", sentinel_password},
                                    {"SLUICE_REDIS_SENTINEL_TLS", "true"},
                                    {"SLUICE_REDIS_MASTER_TLS", "true"},
                                    {"SLUICE_REDIS_CA_FILE", cluster.ca_file()},
                                    {"SLUICE_FLUSH_INTERVAL", "100ms"},
                                    {"SLUICE_ENABLE_EVENTS_INTERVAL", "1s"},
                                    {"SLUICE_LOG_LEVEL", "debug"}}));
  ASSERT_TRUE(sluiced.started()) << sluiced.log();
  const std::string master = "127.0.0.1:" + std::to_string(cluster.data_port(0));
  const auto health = [&] { return json::parse(http_get(sluiced.health_port(), "/health").body, nullptr, false); };
  const auto master_in_health = [&] {
    const json doc = health();
    const bool named = doc.is_object() && doc.contains("sentinel") && doc["sentinel"]["master"].is_string();
    return named ? doc["sentinel"]["master"].get<std::string>() : std::string();
  };
  ASSERT_TRUE(wait_until([&] { return master_in_health() == master; }, 20s)) << sluiced.log();

  CeleryOptions celery;
  celery.broker = cluster.url();
  const json tls = {{"ssl_cert_reqs", "required"}, {"ssl_ca_certs", cluster.ca_file()}};
  json sentinel_kwargs = tls;
  sentinel_kwargs["ssl"] = true;
  sentinel_kwargs["password"] = sentinel_password;
  celery.transport_options =
      json{{"master_name", SentinelCluster::kMasterName}, {"sentinel_kwargs", sentinel_kwargs}}.dump();
  celery.extra_env.emplace_back("SLUICE_TEST_BROKER_SSL", tls.dump());
  // Without -E: task events only once sluiced's enable_events reached it.
  CeleryWorker worker(celery, WorkerOptions{"worker@sentinel-tls", "solo", 1, false});
  CeleryProducer flow(celery, "fixture.add", {"1", "2"}, 0, 0.1);
  const auto final_count = [&] {
    std::set<std::string> final;
    for (const auto& text : server.accepted_events()) {
      const auto event = json::parse(text);
      if (event["type"] == "job_state_change" && is_final(event["job"]["state"])) {
        final.insert(event["job"]["externalId"].get<std::string>());
      }
    }
    const auto sent = flow.task_ids();
    return static_cast<std::size_t>(
        std::count_if(sent.begin(), sent.end(), [&](const std::string& id) { return final.count(id) > 0; }));
  };
  EXPECT_TRUE(wait_until([&] { return final_count() >= 3; }, 20s)) << worker.log() << sluiced.log();

  const HttpReply metrics = http_get(sluiced.health_port(), "/metrics");
  for (const std::string& output : {sluiced.log(), health().dump(), metrics.body}) {
    EXPECT_EQ(output.find(sentinel_password), std::string::npos) << "the sentinel password leaked";
  }
}

}  // namespace
}  // namespace sluice::testing
