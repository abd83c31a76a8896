// A worker started WITHOUT -E while work is waiting, as at every deploy: 200
// tasks are queued first, then the worker starts, and nothing waits for
// "enabled by remote". Celery announces the worker (worker-online) before it
// subscribes to the pidbox channel, so sluiced must keep broadcasting
// enable_events until the receiver count covers the worker.
//
// A MONITOR connection on the private redis-server records, in the server's
// own order and clock, the worker's pidbox subscription and sluiced's
// PUBLISHes. The test asserts order and receipt (a PUBLISH after the
// subscription, logged by sluiced as reaching the worker, acted on by the
// worker); the gap between the two, the blind gap (first task delivered to
// pidbox subscription) and how many tasks reached their final state from
// events alone are printed, not asserted: Celery decides how many tasks run
// before the subscription.

#include <gtest/gtest.h>
#include <signal.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

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

constexpr const char* kConnectionId = "0d6f6c0e-7a9e-4f55-8a3c-5e4a2b1c9d21";
constexpr const char* kPidbox = "/0.celery.pidbox";
constexpr int kTasks = 200;

// One line of MONITOR output: `1733220000.123456 [0 127.0.0.1:5555] "CMD" "arg" ...`.
struct MonitorLine {
  double time = 0;
  std::string client;
  std::string text;  // the command and its arguments, as printed
};

std::vector<MonitorLine> monitor_lines(const std::string& output) {
  std::vector<MonitorLine> lines;
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) {
    const auto open = line.find(" [");
    const auto close = line.find("] ", open == std::string::npos ? 0 : open);
    if (open == std::string::npos || close == std::string::npos) continue;
    MonitorLine m;
    try {
      m.time = std::stod(line.substr(0, open));
    } catch (...) {
      continue;
    }
    const std::string inside = line.substr(open + 2, close - open - 2);  // "0 127.0.0.1:5555"
    m.client = inside.substr(inside.find(' ') + 1);
    m.text = line.substr(close + 2);
    lines.push_back(std::move(m));
  }
  return lines;
}

bool is_pidbox_subscription(const MonitorLine& m) {
  return (m.text.rfind("\"PSUBSCRIBE\"", 0) == 0 || m.text.rfind("\"SUBSCRIBE\"", 0) == 0) &&
         m.text.find("celery.pidbox") != std::string::npos;
}
bool is_pidbox_publish(const MonitorLine& m) {
  return m.text.rfind("\"PUBLISH\" \"" + std::string(kPidbox) + "\"", 0) == 0;
}
// kombu's Redis transport records each delivered message in the `unacked` hash.
bool is_task_delivery(const MonitorLine& m) { return m.text.rfind("\"HSET\" \"unacked\"", 0) == 0; }

std::map<std::string, std::string> last_job_states(const TestIngestServer& server) {
  std::map<std::string, std::string> states;
  for (const auto& [id, event] : last_job_events(server)) states[id] = event["job"]["state"];
  return states;
}

std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

class WorkerStartEndToEnd : public ::testing::Test {
 protected:
  WorkerStartEndToEnd() : server_(IngestServerOptions{true, pki_.server}) {}

  std::unique_ptr<ChildProcess> start_sluiced() {
    return std::make_unique<ChildProcess>(ProcessSpec{
        {SLUICED_BINARY},
        {{"SLUICE_API_KEY", server_.api_key()},
         {"SLUICE_API_URL", server_.base_url()},
         {"SLUICE_CA_FILE", pki_.ca_file()},
         {"SLUICE_CONNECTION_ID", kConnectionId},
         {"SLUICE_REDIS_URL", "redis://127.0.0.1:" + std::to_string(redis_.port()) + "/0"},
         {"SLUICE_HEALTH_ADDR", "off"},
         {"SLUICE_QUEUE_DEPTH", "false"},
         {"SLUICE_FLUSH_INTERVAL", "100ms"},
         {"SLUICE_LOG_LEVEL", "debug"}},
        "",
        dir_.file("sluiced.log")});
  }
  std::string sluiced_log() const { return read_file(dir_.file("sluiced.log")); }

  TempDir dir_;
  TestPki pki_;
  RedisServer redis_;
  TestIngestServer server_;
};

TEST_F(WorkerStartEndToEnd, ANewWorkerIsReachedRightAfterItSubscribesWithWorkWaiting) {
  ChildProcess monitor(ProcessSpec{{"redis-cli", "-p", std::to_string(redis_.port()), "monitor"}, {}, "",
                                   dir_.file("monitor.txt")});
  ASSERT_TRUE(wait_until([&] { return read_file(dir_.file("monitor.txt")).find("OK") != std::string::npos; }, 10s));

  auto sluiced = start_sluiced();
  ASSERT_TRUE(wait_until([&] { return sluiced_log().find("control broadcast published") != std::string::npos; }, 20s))
      << sluiced_log();

  const auto celery = CeleryOptions::for_broker(redis_.tcp_url());
  CeleryProducer producer(celery, "fixture.add", {"2", "3"}, kTasks);
  ASSERT_TRUE(producer.wait_done(60s));
  const auto ids = producer.task_ids();
  ASSERT_EQ(ids.size(), static_cast<std::size_t>(kTasks));

  // Started without -E, and nothing waits for it to be enabled.
  CeleryWorker worker(celery, WorkerOptions{"worker@start", "prefork", 2, false});
  ASSERT_TRUE(wait_until([&] { return count_of(worker.log(), "succeeded in") >= kTasks; }, 120s)) << worker.log();

  // A sentinel task sent now: its final event comes after every event of the 200.
  CeleryProducer sentinel(celery, "fixture.add", {"1", "1"}, 1);
  ASSERT_TRUE(sentinel.wait_done(30s));
  ASSERT_EQ(sentinel.task_ids().size(), 1u);
  const std::string sentinel_id = sentinel.task_ids().front();
  ASSERT_TRUE(wait_until([&] { return last_job_states(server_)[sentinel_id] == "completed"; }, 60s))
      << sluiced_log();

  worker.stop();
  monitor.stop();
  sluiced->signal(SIGTERM);
  sluiced->wait_for(30s);

  // Order and receipt, from the server's own record.
  const auto lines = monitor_lines(read_file(dir_.file("monitor.txt")));
  std::optional<MonitorLine> online, subscription, first_delivery, reaching;
  int delivered_before = 0;
  for (const auto& m : lines) {
    if (!online && m.text.rfind("\"PUBLISH\" \"/0.celeryev/worker.online\"", 0) == 0) online = m;
    if (!subscription && is_pidbox_subscription(m)) subscription = m;
    if (!first_delivery && is_task_delivery(m)) first_delivery = m;
    if (!subscription && is_task_delivery(m)) ++delivered_before;
    // Only sluiced PUBLISHes on the pidbox channel here, and every PUBLISH carries enable_events.
    if (subscription && !reaching && is_pidbox_publish(m)) reaching = m;
  }
  ASSERT_TRUE(subscription.has_value()) << "no pidbox subscription in MONITOR output";
  ASSERT_TRUE(reaching.has_value()) << "no enable_events after the worker's pidbox subscription";
  ASSERT_TRUE(first_delivery.has_value());
  const std::string log = sluiced_log();
  EXPECT_NE(log.find("enable_events reached a new worker"), std::string::npos) << log;
  EXPECT_NE(log.find("worker=worker@start"), std::string::npos) << log;
  EXPECT_NE(worker.log().find("enabled by remote"), std::string::npos) << worker.log();
  // Events were late for the first tasks, not disabled.
  EXPECT_EQ(log.find("diagnostic=task_events_disabled"), std::string::npos) << log;

  const auto states = last_job_states(server_);
  int final_from_events = 0;
  int seen = 0;
  for (const auto& id : ids) {
    auto it = states.find(id);
    if (it == states.end()) continue;
    ++seen;
    if (it->second == "completed") ++final_from_events;
  }
  EXPECT_EQ(seen, kTasks);  // task-sent came from the producer before the worker even started

  const double publish_gap_ms = (reaching->time - subscription->time) * 1000;
  const double blind_gap_ms = (subscription->time - first_delivery->time) * 1000;
  if (online) {
    std::printf("[ measured ] worker-online -> pidbox subscription: %.1f ms\n", (subscription->time - online->time) * 1000);
  }
  std::printf("[ measured ] pidbox subscription -> next enable_events PUBLISH: %.1f ms\n", publish_gap_ms);
  std::printf("[ measured ] blind gap, first task delivered -> pidbox subscription: %.1f ms (%d tasks delivered before)\n",
              blind_gap_ms, delivered_before);
  std::printf("[ measured ] tasks in a final state from events alone: %d of %d\n", final_from_events, kTasks);
  RecordProperty("publish_gap_ms", std::to_string(publish_gap_ms));
  RecordProperty("blind_gap_ms", std::to_string(blind_gap_ms));
  RecordProperty("final_from_events", final_from_events);
}

}  // namespace
}  // namespace sluice::testing
