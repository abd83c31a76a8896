// redis::Connection with a MasterLocator (sentinel:// URLs) against real
// redis-servers. The sentinel is a scripted FakeRedis that names whichever
// node a case needs: a master, a replica, a dead sentinel before it.

#include "redis/master_locator.hpp"

#include <gtest/gtest.h>

#include "redis/connection.hpp"
#include "support/fake_redis.hpp"
#include "support/io_thread.hpp"
#include "support/redis_server.hpp"

namespace sluice::redis {
namespace {

using namespace std::chrono_literals;
using testing::FakeRedis;
using testing::FakeRedisScript;
using testing::IoThread;
using testing::RedisServer;
using testing::RedisServerOptions;

// What SENTINEL get-master-addr-by-name answers for a node on `port`.
FakeRedisScript sentinel_naming(std::uint16_t port) {
  const std::string text = std::to_string(port);
  FakeRedisScript script;
  script.answers["SENTINEL"] = "*2\r\n$9\r\n127.0.0.1\r\n$" + std::to_string(text.size()) + "\r\n" + text + "\r\n";
  return script;
}

std::shared_ptr<MasterLocator> locator_for(std::vector<std::uint16_t> sentinel_ports) {
  SentinelOptions options;
  options.master_name = "mymaster";
  options.sentinel_connect.connect_timeout = 2s;
  options.sentinel_connect.command_timeout = 2s;
  for (const auto port : sentinel_ports) options.sentinels.push_back({"127.0.0.1", port});
  return std::make_shared<MasterLocator>(std::move(options));
}

ConnectOptions following(std::shared_ptr<MasterLocator> locator, bool outlives_failover = false) {
  ConnectOptions o;
  o.url.sentinels = locator->options().sentinels;
  o.connect_timeout = 2s;
  o.command_timeout = 2s;
  o.master = std::move(locator);
  o.outlives_failover = outlives_failover;
  return o;
}

Expected<Connection, RedisError> open(IoThread& io, ConnectOptions options) {
  return io.run(Connection::open(io.executor(), std::move(options)));
}

Expected<RedisReply, RedisError> run(IoThread& io, Connection connection, CommandArgs args) {
  return io.run([](Connection c, CommandArgs a) -> asio::awaitable<Expected<RedisReply, RedisError>> {
    co_return co_await c.command(std::move(a));
  }(std::move(connection), std::move(args)));
}

TEST(MasterLocator, ConnectsWhereTheSentinelsNameTheMasterSkippingADeadSentinel) {
  RedisServer master;
  FakeRedis sentinel(sentinel_naming(master.port()));
  IoThread io;
  auto locator = locator_for({testing::free_loopback_port(), sentinel.port()});
  auto connection = open(io, following(locator));
  ASSERT_TRUE(connection) << connection.error();
  EXPECT_EQ(connection->options().url.port, master.port());
  EXPECT_EQ(run(io, *connection, {"PING"}).value(), RedisReply::status("PONG"));
  EXPECT_EQ(locator->status().master, (config::RedisEndpoint{"127.0.0.1", master.port()}));
  EXPECT_EQ(locator->status().failovers, 0u);
  // The sentinel that answered is asked first from now on.
  const auto asked = sentinel.connections();
  ASSERT_TRUE(open(io, following(locator)));
  EXPECT_EQ(sentinel.connections(), asked + 1);
}

TEST(MasterLocator, NoSentinelAnsweringIsAConnectError) {
  IoThread io;
  auto connection = open(io, following(locator_for({testing::free_loopback_port()})));
  ASSERT_FALSE(connection);
  EXPECT_NE(connection.error().message.find("no sentinel named the master 'mymaster'"), std::string::npos)
      << connection.error();
}

TEST(MasterLocator, AReplicaNamedMasterIsRefused) {
  RedisServer master;
  RedisServerOptions replica_options;
  replica_options.extra_args = {"--replicaof", "127.0.0.1", std::to_string(master.port())};
  RedisServer replica(replica_options);
  FakeRedis sentinel(sentinel_naming(replica.port()));
  IoThread io;
  auto locator = locator_for({sentinel.port()});
  auto connection = open(io, following(locator));
  ASSERT_FALSE(connection);
  EXPECT_EQ(connection.error().kind, RedisError::Kind::busy);
  EXPECT_NE(connection.error().message.find("is not the master"), std::string::npos) << connection.error();
  EXPECT_EQ(locator->status().replicas_refused, 1u);
  EXPECT_FALSE(locator->status().master);
}

// A failover announced: connections on the old master close (the
// subscriber's, which drains it, stays); the next one lands on the new
// master, and the change counts as one failover followed.
TEST(MasterLocator, AFailoverClosesConnectionsLeftOnTheOldMaster) {
  RedisServer old_master;
  RedisServer new_master;
  FakeRedis sentinel([&](std::size_t connection) {
    return sentinel_naming(connection < 2 ? old_master.port() : new_master.port());
  });
  IoThread io;
  auto locator = locator_for({sentinel.port()});
  auto plain = open(io, following(locator));
  auto draining = open(io, following(locator, true));
  ASSERT_TRUE(plain && draining);
  io.call([&] { locator->switched({"127.0.0.1", new_master.port()}); });
  auto closed = run(io, *plain, {"PING"});
  ASSERT_FALSE(closed);
  EXPECT_NE(closed.error().message.find("is no longer the master"), std::string::npos) << closed.error();
  EXPECT_TRUE(run(io, *draining, {"PING"}));
  auto next = open(io, following(locator));
  ASSERT_TRUE(next) << next.error();
  EXPECT_EQ(next->options().url.port, new_master.port());
  EXPECT_EQ(locator->status().master, (config::RedisEndpoint{"127.0.0.1", new_master.port()}));
  EXPECT_EQ(locator->status().failovers, 1u);
}

}  // namespace
}  // namespace sluice::redis
