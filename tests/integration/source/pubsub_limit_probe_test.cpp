// PubsubLimitProbe against real redis-servers: a pubsub output buffer limit
// below the default warns; the default, no limit, a user who may not run
// CONFIG and a disabled CONFIG command are all silent, and the connection
// stays usable after the check.

#include "source/pubsub_limit_probe.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "source/pubsub_limit.hpp"
#include "support/redis_server.hpp"

namespace sluice::source {
namespace {

using namespace std::chrono_literals;
using testing::RedisServer;
using testing::RedisServerOptions;

struct ProbeRun {
  std::vector<std::optional<Warning>> verdicts;  // one per check that gave one
  std::string log;
  int usable_after = 0;  // checks after which the connection still answered PING
};

asio::awaitable<void> check_then_ping(asio::any_io_executor executor, redis::ConnectOptions options,
                                      PubsubLimitProbe& probe, int& usable_after) {
  auto connection = co_await redis::Connection::open(executor, std::move(options));
  if (!connection) co_return;
  co_await probe.check(*connection);
  redis::CommandArgs ping{"PING"};
  auto pong = co_await connection->command(std::move(ping));
  if (pong && *pong == redis::RedisReply::status("PONG")) ++usable_after;
}

asio::awaitable<void> check_times(asio::any_io_executor executor, redis::ConnectOptions options,
                                  PubsubLimitProbe& probe, int times, int& usable_after) {
  for (int i = 0; i < times; ++i) co_await check_then_ping(executor, options, probe, usable_after);
}

// `times` checks, each on a new connection, as after reconnections.
ProbeRun run_probe(const config::RedisUrl& url, int times = 1) {
  ProbeRun run;
  std::ostringstream log_text;
  observe::Logger log(log_text, observe::Level::debug, observe::Format::text);
  PubsubLimitProbe probe(log, [&run](const std::optional<Warning>& w) { run.verdicts.push_back(w); });
  redis::ConnectOptions options;
  options.url = url;
  options.connect_timeout = 5s;
  options.command_timeout = 5s;
  asio::io_context io;
  asio::co_spawn(io, check_times(io.get_executor(), options, probe, times, run.usable_after), asio::detached);
  io.run();
  run.log = log_text.str();
  return run;
}

RedisServerOptions with_args(std::vector<std::string> args) {
  RedisServerOptions options;
  options.extra_args = std::move(args);
  return options;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(PubsubLimitProbe, ALimitBelowTheDefaultWarns) {
  RedisServer server(with_args({"--client-output-buffer-limit", "pubsub", "1mb", "256kb", "60"}));
  const ProbeRun run = run_probe(server.tcp_url());
  ASSERT_EQ(run.verdicts.size(), 1u) << run.log;
  ASSERT_TRUE(run.verdicts[0].has_value());
  EXPECT_EQ(run.verdicts[0]->id, kPubsubBufferLimitLow);
  EXPECT_NE(run.verdicts[0]->message.find("\"1048576 262144 60\""), std::string::npos) << run.verdicts[0]->message;
  EXPECT_EQ(run.usable_after, 1);
}

TEST(PubsubLimitProbe, TheDefaultLimitIsSilent) {
  RedisServer server;
  const ProbeRun run = run_probe(server.tcp_url());
  ASSERT_EQ(run.verdicts.size(), 1u) << run.log;
  EXPECT_FALSE(run.verdicts[0].has_value());
  EXPECT_NE(run.log.find("hard_bytes=33554432"), std::string::npos) << run.log;
}

TEST(PubsubLimitProbe, NoLimitAtAllIsSilent) {
  RedisServer server(with_args({"--client-output-buffer-limit", "pubsub", "0", "0", "0"}));
  const ProbeRun run = run_probe(server.tcp_url());
  ASSERT_EQ(run.verdicts.size(), 1u) << run.log;
  EXPECT_FALSE(run.verdicts[0].has_value());
}

TEST(PubsubLimitProbe, AUserWhoMayNotRunConfigIsSilentSaysSoOnceAndCarriesOn) {
  auto options = RedisServerOptions::with_acl_user("sluiced", "probe-Secret-4417");
  options.acl_rules = {"~*", "&*", "+@all", "-config"};
  options.extra_args = {"--client-output-buffer-limit", "pubsub", "1mb", "256kb", "60"};  // not visible to it
  RedisServer server(options);
  const ProbeRun run = run_probe(server.tcp_url(), 2);
  ASSERT_EQ(run.verdicts.size(), 2u) << run.log;
  EXPECT_FALSE(run.verdicts[0].has_value());
  EXPECT_FALSE(run.verdicts[1].has_value());
  EXPECT_EQ(run.usable_after, 2);
  EXPECT_EQ(count(run.log, "cannot read Redis client-output-buffer-limit"), 1u) << run.log;
  EXPECT_NE(run.log.find("level=info"), std::string::npos) << run.log;
  EXPECT_NE(run.log.find("NOPERM"), std::string::npos) << run.log;
  EXPECT_EQ(run.log.find("level=warn"), std::string::npos) << run.log;
  EXPECT_EQ(run.log.find("probe-Secret-4417"), std::string::npos) << run.log;
}

TEST(PubsubLimitProbe, ADisabledConfigCommandIsSilent) {
  RedisServer server(with_args({"--rename-command", "CONFIG", ""}));
  const ProbeRun run = run_probe(server.tcp_url());
  ASSERT_EQ(run.verdicts.size(), 1u) << run.log;
  EXPECT_FALSE(run.verdicts[0].has_value());
  EXPECT_NE(run.log.find("unknown command"), std::string::npos) << run.log;
  EXPECT_EQ(run.usable_after, 1);
}

}  // namespace
}  // namespace sluice::source
