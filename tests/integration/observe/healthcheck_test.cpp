// --healthcheck against a live health server, a failing one, and nothing.
#include <gtest/gtest.h>

#include <sstream>

#include "app/daemon.hpp"
#include "integration/observe/live_health_server.hpp"
#include "support/child_process.hpp"

namespace sluice::app {
namespace {

using observe::LiveHealthServer;

struct Check {
  int code;
  std::string err;
};

Check healthcheck(const std::string& addr) {
  config::Settings settings;
  settings.health_addr = addr;
  std::ostringstream err;
  const int code = run_healthcheck(settings, err);
  return {code, err.str()};
}

// A port nobody listens on: bound once to learn a free number, then closed.
std::uint16_t unused_port() {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

TEST(Healthcheck, HealthyServerExits0Silently) {
  LiveHealthServer live;
  live.set_report(observe::healthy_report());
  const Check c = healthcheck("127.0.0.1:" + std::to_string(live.port()));
  EXPECT_EQ(c.code, 0);
  EXPECT_EQ(c.err, "");
}

TEST(Healthcheck, UnhealthyServerExits1WithItsReasonsOnOneLine) {
  LiveHealthServer live;
  auto report = observe::unhealthy_report("Redis connection lost");
  report.reasons.push_back("delivery failing for 75s (unhealthy after 1m)");
  live.set_report(report);
  const Check c = healthcheck("127.0.0.1:" + std::to_string(live.port()));
  EXPECT_EQ(c.code, 1);
  EXPECT_EQ(c.err,
            "sluiced: unhealthy: /health answered HTTP 503: Redis connection lost; delivery failing for 75s "
            "(unhealthy after 1m)\n");
}

TEST(Healthcheck, NothingListeningExits1) {
  const Check c = healthcheck("127.0.0.1:" + std::to_string(unused_port()));
  EXPECT_EQ(c.code, 1);
  EXPECT_NE(c.err.find("cannot connect to 127.0.0.1:"), std::string::npos) << c.err;
  EXPECT_EQ(c.err.find('\n'), c.err.size() - 1);
}

TEST(Healthcheck, ServerThatNeverAnswersTimesOut) {
  observe::HealthServerLimits limits;
  limits.max_connections = 0;  // accepts and hangs up at once: no answer
  LiveHealthServer live(limits);
  const Check c = healthcheck("127.0.0.1:" + std::to_string(live.port()));
  EXPECT_EQ(c.code, 1);
  EXPECT_NE(c.err.find("no answer"), std::string::npos) << c.err;
}

TEST(Healthcheck, WildcardAddressIsAskedOnLoopback) {
  LiveHealthServer live;
  live.set_report(observe::healthy_report());
  EXPECT_EQ(healthcheck(":" + std::to_string(live.port())).code, 0);
}

TEST(Healthcheck, OffExits1) {
  const Check c = healthcheck("off");
  EXPECT_EQ(c.code, 1);
  EXPECT_NE(c.err.find("SLUICE_HEALTH_ADDR=off"), std::string::npos) << c.err;
}

TEST(Healthcheck, TheBinaryAsksTheConfiguredAddress) {
  LiveHealthServer live;
  live.set_report(observe::healthy_report());
  testing::ProcessSpec spec;
  spec.argv = {SLUICED_BINARY, "--healthcheck"};
  spec.env = {{"SLUICE_SINK", "stdout"},
              {"SLUICE_CONNECTION_ID", "550e8400-e29b-41d4-a716-446655440000"},
              {"SLUICE_HEALTH_ADDR", "127.0.0.1:" + std::to_string(live.port())}};
  spec.clean_env = true;  // only these settings, whatever the test runs with
  auto ok = testing::ChildProcess::run_captured(spec);
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  live.set_report(observe::unhealthy_report("Redis connection lost"));
  auto bad = testing::ChildProcess::run_captured(spec);
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.output.find("Redis connection lost"), std::string::npos) << bad.output;
}

}  // namespace
}  // namespace sluice::app
