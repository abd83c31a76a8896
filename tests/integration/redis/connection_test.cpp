// redis::Connection against a real redis-server: every transport, AUTH and
// SELECT, pipelining, timeouts and TLS verification.

#include "redis/connection.hpp"

#include "redis/pubsub_push.hpp"

#include <gtest/gtest.h>

#include "support/blocking_redis.hpp"
#include "support/io_thread.hpp"
#include "support/redis_server.hpp"

namespace sluice::redis {
namespace {

using namespace std::chrono_literals;
using testing::BlockingRedis;
using testing::IoThread;
using testing::RedisServer;
using testing::RedisServerOptions;

ConnectOptions options_for(config::RedisUrl url) {
  ConnectOptions o;
  o.url = std::move(url);
  o.connect_timeout = 2s;
  o.command_timeout = 2s;
  return o;
}

// Opens a connection and runs one command on it.
Expected<RedisReply, RedisError> open_and_run(IoThread& io, ConnectOptions options, CommandArgs args) {
  return io.run([](asio::any_io_executor ex, ConnectOptions o, CommandArgs a)
                    -> asio::awaitable<Expected<RedisReply, RedisError>> {
    auto connection = co_await Connection::open(ex, std::move(o));
    if (!connection) co_return Unexpected(connection.error());
    co_return co_await connection->command(std::move(a));
  }(io.executor(), std::move(options), std::move(args)));
}

Expected<RedisReply, RedisError> ping(IoThread& io, ConnectOptions options) {
  return open_and_run(io, std::move(options), {"PING"});
}

TEST(Connection, PingOverTcp) {
  RedisServer server;
  IoThread io;
  auto reply = ping(io, options_for(server.tcp_url()));
  ASSERT_TRUE(reply) << reply.error();
  EXPECT_EQ(*reply, RedisReply::status("PONG"));
}

TEST(Connection, PingOverUnixSocket) {
  RedisServer server(RedisServerOptions::with_unix_socket());
  IoThread io;
  auto reply = ping(io, options_for(server.unix_url()));
  ASSERT_TRUE(reply) << reply.error();
  EXPECT_EQ(*reply, RedisReply::status("PONG"));
}

TEST(Connection, SelectsTheDatabaseOfTheUrl) {
  RedisServer server;
  IoThread io;
  auto reply = open_and_run(io, options_for(server.tcp_url(3)), {"SET", "where", "db3"});
  ASSERT_TRUE(reply) << reply.error();
  BlockingRedis check("127.0.0.1", server.port());
  EXPECT_EQ(check.command({"GET", "where"}), RedisReply::nil());
  check.command({"SELECT", "3"});
  EXPECT_EQ(check.command({"GET", "where"}), RedisReply::bulk("db3"));
}

TEST(Connection, SetsTheClientName) {
  RedisServer server;
  IoThread io;
  auto options = options_for(server.tcp_url());
  options.client_name = "sluiced-test";
  auto reply = open_and_run(io, options, {"CLIENT", "GETNAME"});
  ASSERT_TRUE(reply) << reply.error();
  EXPECT_EQ(*reply, RedisReply::bulk("sluiced-test"));
}

TEST(Connection, PasswordAuth) {
  RedisServer server(RedisServerOptions::with_password("pw-Secret-123"));
  IoThread io;
  auto good = ping(io, options_for(server.tcp_url()));
  ASSERT_TRUE(good) << good.error();

  auto url = server.tcp_url();
  url.password = "wrong-Secret-456";
  auto bad = ping(io, options_for(url));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, RedisError::Kind::auth);
  EXPECT_EQ(bad.error().message.find("wrong-Secret-456"), std::string::npos) << bad.error();

  url.password.clear();  // no AUTH at all: the server answers NOAUTH to the command
  auto none = ping(io, options_for(url));
  ASSERT_TRUE(none) << none.error();
  EXPECT_TRUE(none->is_error());
}

TEST(Connection, AclUserAuth) {
  RedisServer server(RedisServerOptions::with_acl_user("sluiced", "acl-Secret-789"));
  IoThread io;
  auto good = ping(io, options_for(server.tcp_url()));
  ASSERT_TRUE(good) << good.error();
  EXPECT_EQ(*good, RedisReply::status("PONG"));

  auto url = server.tcp_url();
  url.password = "not-it";
  auto bad = ping(io, options_for(url));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, RedisError::Kind::auth);
  EXPECT_EQ(bad.error().message.find("not-it"), std::string::npos);
}

TEST(Connection, PipelinesTwoThousandCommandsInOrder) {
  RedisServer server;
  BlockingRedis setup("127.0.0.1", server.port());
  std::vector<CommandArgs> batch;
  for (int i = 0; i < 2000; ++i) {
    const std::string key = "queue" + std::to_string(i);
    for (int j = 0; j < i % 5; ++j) setup.command({"RPUSH", key, "job"});
    batch.push_back({"LLEN", key});
  }
  setup.command({"SET", "not-a-list", "x"});
  batch[1000] = {"LLEN", "not-a-list"};  // an error reply mid-batch spoils nothing else
  IoThread io;
  auto replies = io.run([](asio::any_io_executor ex, ConnectOptions o, std::vector<CommandArgs> b)
                            -> asio::awaitable<Expected<std::vector<RedisReply>, RedisError>> {
    auto connection = co_await Connection::open(ex, std::move(o));
    if (!connection) co_return Unexpected(connection.error());
    co_return co_await connection->commands(std::move(b));
  }(io.executor(), options_for(server.tcp_url()), batch));
  ASSERT_TRUE(replies) << replies.error();
  ASSERT_EQ(replies->size(), 2000u);
  for (int i = 0; i < 2000; ++i) {
    if (i == 1000) {
      EXPECT_TRUE((*replies)[i].is_error());
    } else {
      EXPECT_EQ((*replies)[i], RedisReply::integer(i % 5)) << i;
    }
  }
}

TEST(Connection, RefusedConnectIsAConnectError) {
  std::uint16_t port = 0;
  {
    RedisServer gone;  // a port that was just free and is closed again
    port = gone.port();
  }
  IoThread io;
  config::RedisUrl url;
  url.host = "127.0.0.1";
  url.port = port;
  auto reply = ping(io, options_for(url));
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().kind, RedisError::Kind::connect);
}

TEST(Connection, CommandTimesOutOnAFrozenServer) {
  RedisServer server;
  IoThread io;
  auto options = options_for(server.tcp_url());
  options.command_timeout = 200ms;
  server.pause();  // the kernel still accepts connections; nobody answers
  auto reply = ping(io, options);
  server.resume();
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().kind, RedisError::Kind::timeout) << reply.error();
}

// Messages published before the subscriber reads arrive together: one call
// takes every complete reply of a read, in order, none lost or repeated.
TEST(Connection, ReceiveAllTakesEveryReplyAlreadyRead) {
  RedisServer server;
  BlockingRedis publisher("127.0.0.1", server.port());
  IoThread io;
  auto connection = io.run(Connection::open(io.executor(), options_for(server.tcp_url())));
  ASSERT_TRUE(connection) << connection.error();
  Connection c = *connection;
  ASSERT_TRUE(io.run(c.send({"SUBSCRIBE", "ch"})));
  auto confirmed = io.run(c.receive(2s));
  ASSERT_TRUE(confirmed) << confirmed.error();
  constexpr int kMessages = 200;
  for (int i = 0; i < kMessages; ++i) ASSERT_EQ(publisher.publish("ch", "m" + std::to_string(i)), 1);
  ASSERT_EQ(publisher.publish("ch", "end"), 1);

  struct Received {
    std::vector<std::string> payloads;
    int calls = 0;
    std::string error;
  };
  auto collect = [](Connection subscriber) -> asio::awaitable<Received> {
    Received got;
    while (got.payloads.empty() || got.payloads.back() != "end") {
      std::vector<RedisReply> replies;
      auto received = co_await subscriber.receive_all(replies);
      if (!received) {
        got.error = received.error().message;
        co_return got;
      }
      ++got.calls;
      for (auto& reply : replies) got.payloads.push_back(parse_push(std::move(reply)).payload);
    }
    co_return got;
  };
  auto pending = io.spawn(collect(c));
  // A lost reply would leave the loop waiting: closing ends it with an error.
  if (pending.wait_for(10s) != std::future_status::ready) io.call([&c] { c.close(); });
  auto [payloads, calls, error] = std::move(*pending.get());
  ASSERT_EQ(error, "");
  payloads.pop_back();
  ASSERT_EQ(payloads.size(), std::size_t{kMessages});
  for (int i = 0; i < kMessages; ++i) EXPECT_EQ(payloads[i], "m" + std::to_string(i));
  EXPECT_LT(calls, kMessages);  // one at a time would need a call per message
}

TEST(Connection, CloseEndsAPendingReceive) {
  RedisServer server;
  IoThread io;
  auto connection = io.run(Connection::open(io.executor(), options_for(server.tcp_url())));
  ASSERT_TRUE(connection) << connection.error();
  Connection c = *connection;
  auto pending = io.spawn(c.receive());
  io.call([&c] { c.close(); });
  auto result = std::move(*pending.get());
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, RedisError::Kind::closed);
  EXPECT_FALSE(c.is_open());
}

}  // namespace
}  // namespace sluice::redis
