// End to end with a real Celery worker started WITHOUT -E: the event source
// subscribes, broadcasts enable_events, and the worker's task events
// (task.multi lists of task-received/started/succeeded) arrive. No periodic
// re-broadcast helps here (the interval is an hour): the worker announces
// itself before it subscribes to the pidbox channel, and only the fast
// schedule after its worker-online reaches it.

#include <gtest/gtest.h>

#include <set>

#include "support/celery_worker.hpp"
#include "support/kombu_envelope.hpp"
#include "support/redis_server.hpp"
#include "support/source_harness.hpp"

namespace sluice::source {
namespace {

using namespace std::chrono_literals;
using testing::CeleryOptions;
using testing::CeleryProducer;
using testing::CeleryWorker;
using testing::event_types_of;
using testing::routing_key_of;

// Event types inside the task.multi messages recorded so far.
std::multiset<std::string> task_event_types(const testing::RecordedMessages& messages) {
  std::multiset<std::string> out;
  for (const auto& m : messages.all()) {
    if (routing_key_of(m.payload) != "task.multi") continue;
    for (const auto& type : event_types_of(m.payload)) out.insert(type);
  }
  return out;
}

bool has_lifecycle(const std::multiset<std::string>& types) {
  return types.count("task-received") > 0 && types.count("task-started") > 0 && types.count("task-succeeded") > 0;
}

TEST(EnableEvents, WorkerWithoutDashESendsTaskEventsAfterTheBroadcast) {
  testing::RedisServer server;
  auto broadcast = testing::test_broadcast_options(server.tcp_url());
  broadcast.timing.after_subscription = 0ms;  // no fast beat after sluiced's own subscription: only the worker's start
  testing::SourceHarness source(testing::test_subscriber_options(server.tcp_url()), broadcast);
  ASSERT_TRUE(source.wait_subscribed());

  const auto celery = CeleryOptions::for_broker(server.tcp_url());
  CeleryWorker worker(celery);
  ASSERT_TRUE(testing::wait_until(
      [&] { return source.messages().count_if([](const RedisMessage& m) { return routing_key_of(m.payload) == "worker.online"; }) > 0; },
      30s))
      << worker.log();

  CeleryProducer producer(celery, "fixture.add", {"2", "3"}, 0, 0.3);  // until stopped
  const bool arrived = testing::wait_until([&] { return has_lifecycle(task_event_types(source.messages())); }, 30s);
  // The first task's events may arrive before the producer has printed its id.
  EXPECT_TRUE(testing::wait_until([&] { return !producer.task_ids().empty(); }, 10s));
  producer.stop();
  worker.stop();
  ASSERT_TRUE(arrived) << "worker log:\n" << worker.log();
  EXPECT_NE(worker.log().find("enabled by remote"), std::string::npos) << worker.log();
  ASSERT_TRUE(source.stop());
}

}  // namespace
}  // namespace sluice::source
