// The QueuePoller against a real redis-server whose keys are written the
// way kombu 5.2 writes them (binding sets, queue lists, priority sub-lists).

#include "source/queue_poller.hpp"

#include <gtest/gtest.h>

#include "queue_poller_fixture.hpp"
#include "support/blocking_redis.hpp"
#include "support/redis_server.hpp"
#include "support/wait_until.hpp"

namespace sluice::source {
namespace {

using namespace std::string_literals;
using testing::BlockingRedis;
using testing::fast_poller_options;
using testing::PollerRun;
using testing::RedisServer;
using testing::wait_until;

const std::string sep = "\x06\x16"s;

void bind(BlockingRedis& redis, const std::string& prefix, const std::string& exchange, const std::string& queue,
          const std::string& routing_key) {
  redis.command({"SADD", prefix + "_kombu.binding." + exchange, routing_key + sep + sep + queue});
}

void push(BlockingRedis& redis, const std::string& key, int n) {
  for (int i = 0; i < n; ++i) redis.command({"LPUSH", key, "{\"body\": \"x\"}"});
}

TEST(QueuePoller, DiscoversBoundQueuesAndSumsPriorityListsUnderThePrefix) {
  RedisServer server;
  BlockingRedis redis("127.0.0.1", server.port());
  redis.command({"SELECT", "2"});
  bind(redis, "pfx:", "celery", "celery", "celery");
  bind(redis, "pfx:", "celery", "high", "high");
  bind(redis, "pfx:", "celeryev", "celeryev.2f9a8bd6-3b0e-4d2c-9f5e-0c1d2e3f4a5b", "#");
  bind(redis, "pfx:", "celery.pidbox", "w1@host.celery.pidbox", "");
  bind(redis, "pfx:", "reply.celery.pidbox", "9b1c1b8e-4a1f-4f55-a0d0-6b1a4bb0a001", "9b1c1b8e");
  bind(redis, "", "celery", "unprefixed", "unprefixed");  // another app without the prefix
  push(redis, "pfx:celery", 3);
  push(redis, "pfx:celery" + sep + "3", 2);
  push(redis, "pfx:celery" + sep + "9", 1);
  push(redis, "pfx:high" + sep + "6", 4);

  auto options = fast_poller_options(server.tcp_url(2));
  options.keyprefix = "pfx:";
  PollerRun run(options);
  ASSERT_TRUE(wait_until([&] { return run.depth("celery") && run.depth("high"); }));
  EXPECT_EQ(run.depth("celery"), 6);
  EXPECT_EQ(run.depth("high"), 4);
  EXPECT_EQ(run.metric("sluiced_queue_depth{queue=\"celery\"}"), 6);
  run.stop();
  for (const auto& s : run.snapshots()) EXPECT_TRUE(s.name == "celery" || s.name == "high") << s.name;
}

TEST(QueuePoller, SendsChangesAndOneFinalZeroForAQueueThatDisappears) {
  RedisServer server;
  BlockingRedis redis("127.0.0.1", server.port());
  bind(redis, "", "celery", "celery", "celery");
  PollerRun run(fast_poller_options(server.tcp_url()));
  ASSERT_TRUE(wait_until([&] { return run.depth("celery") == 0; }));

  push(redis, "late", 2);  // before the binding: the first reading of `late` is 2
  bind(redis, "", "celery", "late", "late");
  ASSERT_TRUE(wait_until([&] { return run.depth("late") == 2; }));
  push(redis, "celery", 1);
  ASSERT_TRUE(wait_until([&] { return run.depth("celery") == 1; }));

  redis.command({"SREM", "_kombu.binding.celery", "late" + sep + sep + "late"});  // unbound first: no reading of 0
  redis.command({"DEL", "late"});
  ASSERT_TRUE(wait_until([&] { return run.depth("late") == 0; }));
  const auto polls = run.polls();
  ASSERT_TRUE(wait_until([&] { return run.polls() >= polls + 3; }));
  run.stop();
  EXPECT_EQ(run.count("late"), 2u);    // 2, then the final 0
  EXPECT_EQ(run.count("celery"), 2u);  // 0, then 1: unchanged depths are not resent
}

TEST(QueuePoller, ReportsQueuesNamedByTaskSentEventsWithoutAnyBinding) {
  RedisServer server;
  BlockingRedis redis("127.0.0.1", server.port());
  push(redis, "orphan", 5);
  PollerRun run(fast_poller_options(server.tcp_url()));
  run.note_queue("orphan");
  ASSERT_TRUE(wait_until([&] { return run.depth("orphan") == 5; }));
  redis.command({"DEL", "orphan"});
  ASSERT_TRUE(wait_until([&] { return run.depth("orphan") == 0; }));
}

TEST(QueuePoller, ExplicitListIsPolledWithoutDiscovery) {
  RedisServer server;
  BlockingRedis redis("127.0.0.1", server.port());
  bind(redis, "", "celery", "bound", "bound");
  push(redis, "listed", 2);
  auto options = fast_poller_options(server.tcp_url());
  options.queues = {"listed", "empty"};
  PollerRun run(options);
  ASSERT_TRUE(wait_until([&] { return run.depth("listed") == 2 && run.depth("empty") == 0; }));
  run.note_queue("noted");
  const auto polls = run.polls();
  ASSERT_TRUE(wait_until([&] { return run.polls() >= polls + 3; }));
  EXPECT_FALSE(run.depth("bound"));
  EXPECT_FALSE(run.depth("noted"));
}

TEST(QueuePoller, WrongTypeKeyIsCountedAndOtherQueuesKeepReporting) {
  RedisServer server;
  BlockingRedis redis("127.0.0.1", server.port());
  bind(redis, "", "celery", "good", "good");
  bind(redis, "", "celery", "bad", "bad");
  redis.command({"SET", "bad", "not a list"});
  push(redis, "good", 1);
  PollerRun run(fast_poller_options(server.tcp_url()));
  ASSERT_TRUE(wait_until([&] { return run.depth("good") == 1 && run.metric("sluiced_queue_poll_errors_total") >= 2; }));
  push(redis, "good", 1);
  ASSERT_TRUE(wait_until([&] { return run.depth("good") == 2; }));
  run.stop();
  EXPECT_FALSE(run.depth("bad"));
  const auto log = run.log_text();
  EXPECT_NE(log.find("WRONGTYPE"), std::string::npos) << log;
  EXPECT_EQ(log.find("WRONGTYPE"), log.rfind("WRONGTYPE")) << "logged once per state change:\n" << log;
}

TEST(QueuePoller, UserWithoutLlenPermissionIsCountedAndThePollerKeepsGoing) {
  RedisServer server;
  BlockingRedis admin("127.0.0.1", server.port());
  admin.command({"ACL", "SETUSER", "poller", "on", ">s3cret-pw", "~*", "&*", "+@all", "-llen"});
  bind(admin, "", "celery", "celery", "celery");
  auto url = server.tcp_url();
  url.username = "poller";
  url.password = "s3cret-pw";
  PollerRun run(fast_poller_options(url));
  ASSERT_TRUE(wait_until([&] { return run.metric("sluiced_queue_poll_errors_total") >= 3; }));
  EXPECT_GE(run.polls(), 3u);
  admin.command({"ACL", "SETUSER", "poller", "+llen"});
  ASSERT_TRUE(wait_until([&] { return run.depth("celery") == 0; }));
  run.stop();
  const auto log = run.log_text();
  EXPECT_NE(log.find("NOPERM"), std::string::npos) << log;
  EXPECT_EQ(log.find("NOPERM"), log.rfind("NOPERM")) << log;
  EXPECT_NE(log.find("recovered"), std::string::npos) << log;
  EXPECT_EQ(log.find("s3cret-pw"), std::string::npos);
}

TEST(QueuePoller, SurvivesARedisOutage) {
  RedisServer server;
  {
    BlockingRedis redis("127.0.0.1", server.port());
    bind(redis, "", "celery", "celery", "celery");
  }
  PollerRun run(fast_poller_options(server.tcp_url()));
  ASSERT_TRUE(wait_until([&] { return run.depth("celery") == 0; }));
  server.stop();
  ASSERT_TRUE(wait_until([&] { return run.metric("sluiced_queue_poll_errors_total") >= 2; }));
  server.start();
  BlockingRedis redis("127.0.0.1", server.port());
  bind(redis, "", "celery", "after", "after");
  ASSERT_TRUE(wait_until([&] { return run.depth("after") == 0; }));
}

}  // namespace
}  // namespace sluice::source
