// Queue depths of tasks sent by real Celery 5.2 producers (no worker
// consumes them): routed to several queues, with priority steps and a
// global_keyprefix, read on the broker's db from the URL.

#include <gtest/gtest.h>

#include "queue_poller_fixture.hpp"
#include "support/celery_worker.hpp"
#include "support/redis_server.hpp"
#include "support/wait_until.hpp"

namespace sluice::source {
namespace {

using namespace std::chrono_literals;
using testing::CeleryOptions;
using testing::CeleryProducer;
using testing::fast_poller_options;
using testing::PollerRun;
using testing::RedisServer;
using testing::wait_until;

CeleryOptions routed(const RedisServer& server, const std::string& queue, int priority) {
  auto o = CeleryOptions::for_broker(server.tcp_url(3));
  o.transport_options = R"({"global_keyprefix": "app1:", "priority_steps": [0, 3, 6, 9],)"
                        R"( "queue_order_strategy": "priority"})";
  o.extra_env = {{"SLUICE_TEST_TASK_ROUTES", R"({"fixture.add": {"queue": ")" + queue + R"("}})"},
                 {"SLUICE_TEST_PRIORITY", std::to_string(priority)}};
  return o;
}

TEST(QueueDepthCelery, ExactDepthsOfRoutedAndPrioritisedTasks) {
  RedisServer server;
  CeleryProducer alpha(routed(server, "alpha", 0), "fixture.add", {"1", "2"}, 3);
  CeleryProducer beta(routed(server, "beta", 9), "fixture.add", {"1", "2"}, 2);
  CeleryProducer gamma(routed(server, "gamma", 4), "fixture.add", {"1", "2"}, 4);
  ASSERT_TRUE(alpha.wait_done(60s));
  ASSERT_TRUE(beta.wait_done(60s));
  ASSERT_TRUE(gamma.wait_done(60s));

  auto options = fast_poller_options(server.tcp_url(3));
  options.keyprefix = "app1:";
  PollerRun run(options);
  ASSERT_TRUE(wait_until([&] { return run.depth("alpha") && run.depth("beta") && run.depth("gamma"); }));
  EXPECT_EQ(run.depth("alpha"), 3);
  EXPECT_EQ(run.depth("beta"), 2);
  EXPECT_EQ(run.depth("gamma"), 4);
  run.stop();
  for (const auto& s : run.snapshots()) {
    EXPECT_TRUE(s.name == "alpha" || s.name == "beta" || s.name == "gamma") << s.name;
  }
}

}  // namespace
}  // namespace sluice::source
