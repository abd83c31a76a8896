// The real binary under what operators and their tools do to it: idle
// connections piling up on the health port while a container probe runs,
// SIGHUP, a stderr reader that goes away, and a health address that
// --check-config accepted.

#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <optional>
#include <vector>

#include "support/http_probe.hpp"
#include "support/redis_server.hpp"
#include "support/sluiced_process.hpp"
#include "support/temp_dir.hpp"
#include "support/test_paths.hpp"
#include "support/wait_until.hpp"

namespace sluice::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kConnectionId = "0b7e3f0c-4d7a-4f55-9a43-5c2e1f6d8a90";

Env dry_run_env(const RedisServer& redis, const std::string& health_addr = "127.0.0.1:0") {
  return {{"SLUICE_SINK", "stdout"},
          {"SLUICE_CONNECTION_ID", kConnectionId},
          {"SLUICE_REDIS_URL", "redis://127.0.0.1:" + std::to_string(redis.port()) + "/0"},
          {"SLUICE_HEALTH_ADDR", health_addr},
          {"SLUICE_LOG_LEVEL", "debug"}};
}

bool exited_with(const std::optional<int>& status, int code) {
  return status && WIFEXITED(*status) && WEXITSTATUS(*status) == code;
}

std::string describe(const std::optional<int>& status) {
  if (!status) return "still running";
  if (WIFSIGNALED(*status)) return "killed by signal " + std::to_string(WTERMSIG(*status));
  return "exited " + std::to_string(WEXITSTATUS(*status));
}

class RunningDaemon : public ::testing::Test {
 protected:
  // Starts sluiced (dry run) and waits until /health says healthy.
  void start(const std::string& output) {
    sluiced.emplace(dry_run_env(redis), output);
  }
  bool await_healthy(const std::function<std::string()>& log) {
    return wait_until([&] { return (port = SluicedProcess::health_port_in(log())) != 0; }, 20s) &&
           wait_until([&] { return http_get(port, "/health").status == 200; }, 20s);
  }

  RedisServer redis;
  TempDir dir;
  std::optional<SluicedProcess> sluiced;
  std::uint16_t port = 0;
};

TEST_F(RunningDaemon, IdleConnectionsDoNotStarveHealthProbes) {
  const std::string log_file = dir.file("sluiced.log");
  start(log_file);
  ASSERT_TRUE(await_healthy([&] { return read_file(log_file); })) << read_file(log_file);

  // More idle connections than the server has slots (32): none sends a byte.
  std::vector<TestConnection> idle;
  for (int i = 0; i < 40; ++i) {
    auto c = TestConnection::open(port);
    ASSERT_TRUE(c) << "connect " << i;
    idle.push_back(std::move(*c));
  }
  for (int probe = 0; probe < 5; ++probe) EXPECT_EQ(http_get(port, "/health").status, 200) << "probe " << probe;
  const ProcessResult check = SluicedProcess::run(dry_run_env(redis, "127.0.0.1:" + std::to_string(port)),
                                                  {"--healthcheck"});
  EXPECT_EQ(check.exit_code, 0) << check.output;
}

TEST_F(RunningDaemon, SighupIsIgnoredAndSaysSo) {
  const std::string log_file = dir.file("sluiced.log");
  start(log_file);
  ASSERT_TRUE(await_healthy([&] { return read_file(log_file); })) << read_file(log_file);
  sluiced->process().signal(SIGHUP);
  ASSERT_TRUE(wait_until([&] { return read_file(log_file).find("SIGHUP ignored") != std::string::npos; }, 20s))
      << describe(sluiced->process().wait_for(0ms)) << "\n" << read_file(log_file);
  EXPECT_TRUE(sluiced->process().running());
  EXPECT_EQ(http_get(port, "/health").status, 200);
  sluiced->process().signal(SIGTERM);
  const auto status = sluiced->process().wait_for(30s);
  EXPECT_TRUE(exited_with(status, 0)) << describe(status);
}

// stderr is a FIFO the test reads until sluiced is up, then closes: every
// later log line is written to a pipe without a reader.
TEST_F(RunningDaemon, AGoneStderrReaderDoesNotKillIt) {
  const std::string fifo = dir.file("stderr.fifo");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  const int reader = open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);  // sluiced must not inherit it
  ASSERT_GE(reader, 0);
  start(fifo);
  std::string seen;
  const auto read_more = [&] {
    char buffer[4096];
    for (ssize_t n; (n = read(reader, buffer, sizeof buffer)) > 0;) seen.append(buffer, static_cast<std::size_t>(n));
    return seen;
  };
  const bool up = await_healthy(read_more);
  close(reader);
  ASSERT_TRUE(up) << seen;
  // "shutting down" and what follows are logged to the reader-less pipe.
  sluiced->process().signal(SIGTERM);
  const auto status = sluiced->process().wait_for(30s);
  EXPECT_TRUE(exited_with(status, 0)) << describe(status);
}

TEST(HealthAddress, WhatCheckConfigAcceptsTheDaemonCanListenOn) {
  RedisServer redis;
  // "::1:8081" is ambiguous (the address ::1:8081, or ::1 port 8081):
  // both refuse it, with the same configuration exit code.
  for (const std::vector<std::string>& args : {std::vector<std::string>{"--check-config"},
                                               std::vector<std::string>{}}) {
    const ProcessResult result = SluicedProcess::run(dry_run_env(redis, "::1:8081"), args);
    EXPECT_EQ(result.exit_code, 78) << result.output;
    EXPECT_NE(result.output.find("SLUICE_HEALTH_ADDR"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("[::1]:8081"), std::string::npos) << "says how to write it\n" << result.output;
  }
}

TEST(HealthAddress, APortInUseEndsWithTheDocumentedStartFailureCode) {
  RedisServer redis;
  TempDir dir;
  const std::string log_file = dir.file("first.log");
  SluicedProcess first(dry_run_env(redis), log_file);
  std::uint16_t taken = 0;
  ASSERT_TRUE(wait_until([&] { return (taken = SluicedProcess::health_port_in(read_file(log_file))) != 0; }, 20s));
  const ProcessResult second = SluicedProcess::run(dry_run_env(redis, "127.0.0.1:" + std::to_string(taken)), {});
  EXPECT_EQ(second.exit_code, 70) << second.output;
  EXPECT_NE(second.output.find("cannot listen"), std::string::npos) << second.output;
}

}  // namespace
}  // namespace sluice::testing
