// No secret leaves sluiced: the real binary, a private redis-server with a
// password that has a raw '/' in it, and a fake ingest API that echoes the
// Authorization header in its error messages (400, then 401). Every output
// a user or an attacker can read — stderr, /health, /ready, /metrics,
// --check-config, and the errors of invalid configurations — is searched
// for every form of every secret.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <nlohmann/json.hpp>

#include "support/blocking_redis.hpp"
#include "support/celery_events.hpp"
#include "support/http_probe.hpp"
#include "support/ingest_server.hpp"
#include "support/redis_server.hpp"
#include "support/sluiced_process.hpp"
#include "support/temp_dir.hpp"
#include "support/test_paths.hpp"
#include "support/test_pki.hpp"
#include "support/wait_until.hpp"

namespace sluice::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kApiKey = "sk_live_E2eApiKeySecret_9f8e7d";
constexpr const char* kRedisPassword = "Redis/Pass-Word_51";
constexpr const char* kConnectionId = "0b7e3f0c-4d7a-4f55-9a43-5c2e1f6d8a90";

// Every form a secret could take on the way out, and the fragments a
// partial mask would leave.
const std::vector<std::string> kForbidden = {kApiKey,        "E2eApiKeySecret", "Bearer sk_", kRedisPassword,
                                             "Redis%2FPass", "Redis%2fPass",    "Pass-Word_51"};

// The first forbidden text found in `output`, or empty.
std::string leaked_in(const std::string& output) {
  for (const auto& secret : kForbidden) {
    if (output.find(secret) != std::string::npos) return secret;
  }
  return "";
}

// The password in SLUICE_REDIS_URL as users paste it: raw ('/' and all),
// or percent-encoded as the URL syntax wants it.
std::string redis_url(std::uint16_t port, bool percent_encoded) {
  const std::string password = percent_encoded ? "Redis%2FPass-Word_51" : kRedisPassword;
  return "redis://:" + password + "@127.0.0.1:" + std::to_string(port) + "/0";
}

class SecretsEndToEnd : public ::testing::TestWithParam<bool> {
 protected:
  SecretsEndToEnd() : redis(RedisServerOptions::with_password(kRedisPassword)) {
    api.emplace(IngestServerOptions{true, pki.server, kApiKey});
  }

  Env env() const {
    return {{"SLUICE_API_KEY", kApiKey},
            {"SLUICE_API_URL", api->base_url()},
            {"SLUICE_CA_FILE", pki.ca_file()},
            {"SLUICE_CONNECTION_ID", kConnectionId},
            {"SLUICE_REDIS_URL", redis_url(redis.port(), percent_encoded)},
            {"SLUICE_HEALTH_ADDR", "127.0.0.1:0"},
            {"SLUICE_FLUSH_INTERVAL", "50ms"},
            {"SLUICE_LOG_LEVEL", "debug"}};
  }

  std::string log() const { return read_file(dir.file("sluiced.log")); }

  // A new worker comes online: sluiced has something to POST.
  void publish_worker(const std::string& node) {
    BlockingRedis client("127.0.0.1", redis.port(), "", kRedisPassword);
    publish_event(client, worker_event("worker-online", node, now_seconds(), 0));
  }

  std::string health_body() { return http_get(port, "/health").body; }

  TestPki pki;
  RedisServer redis;
  std::optional<TestIngestServer> api;
  TempDir dir;
  std::uint16_t port = 0;
  bool percent_encoded = false;
};

TEST_P(SecretsEndToEnd, NoOutputCarriesASecretEvenWhenTheApiEchoesTheKey) {
  percent_encoded = GetParam();
  Fault echo = Fault::answer(400);
  echo.message = "header {authorization} is not accepted";
  api->fail_all(echo);
  SluicedProcess sluiced(env(), dir.file("sluiced.log"));
  ASSERT_TRUE(wait_until([&] { return (port = SluicedProcess::health_port_in(log())) != 0; }, 20s)) << log();
  ASSERT_TRUE(wait_until([&] { return http_get(port, "/ready").status == 200; }, 20s)) << log();

  std::string seen;  // everything read from the outside, searched at the end
  publish_worker("w1@secrets");
  ASSERT_TRUE(wait_until([&] { return health_body().find("HTTP 400") != std::string::npos; }, 20s))
      << health_body() << log();
  ASSERT_GE(api->request_count(), 1u);
  // The fake API did echo the key: the test sees what sluiced had to hide.
  EXPECT_NE(api->requests().front().header("authorization").find(kApiKey), std::string::npos);
  seen += health_body();

  Fault refuse = Fault::answer(401);
  refuse.message = "key {authorization} revoked";
  api->fail_all(refuse);
  publish_worker("w2@secrets");
  ASSERT_TRUE(wait_until([&] { return http_get(port, "/health").status == 503; }, 20s)) << health_body() << log();
  seen += health_body();
  seen += http_get(port, "/ready").body;
  seen += http_get(port, "/metrics").body;

  sluiced.process().signal(SIGTERM);
  const auto status = sluiced.process().wait_for(30s);
  ASSERT_TRUE(status && WIFEXITED(*status)) << log();
  EXPECT_EQ(WEXITSTATUS(*status), 0) << log();
  seen += log();
  EXPECT_NE(log().find("401"), std::string::npos) << "the refusal was logged";

  const ProcessResult check = SluicedProcess::run(env(), {"--check-config"});
  EXPECT_EQ(check.exit_code, 0) << check.output;
  seen += check.output;

  EXPECT_EQ(leaked_in(seen), "") << seen;
}

TEST_P(SecretsEndToEnd, InvalidConfigurationsNameTheProblemWithoutTheSecret) {
  percent_encoded = GetParam();
  const std::vector<std::pair<std::string, std::string>> broken = {
      {"SLUICE_API_KEY", std::string(kApiKey) + "\r"},                        // a CRLF env file
      {"SLUICE_API_KEY", std::string(kApiKey) + "\r\nX-Injected: 1"},         // header injection
      {"SLUICE_REDIS_URL", "redis://:" + std::string(kRedisPassword) + "@127.0.0.1:6379/x"},
      {"SLUICE_REDIS_URL", "redis://:" + std::string(kRedisPassword) + "@:6379/0"},
      {"SLUICE_REDIS_URL", ":" + std::string(kRedisPassword) + "@127.0.0.1:6379"},
      {"SLUICE_API_URL", "https://user:" + std::string(kApiKey) + "@sluice.example/api"},
  };
  for (const auto& [name, value] : broken) {
    Env with = env();
    for (auto& [key, v] : with) {
      if (key == name) v = value;
    }
    for (const std::vector<std::string>& args : {std::vector<std::string>{"--check-config"},
                                                 std::vector<std::string>{}}) {
      const ProcessResult result = SluicedProcess::run(with, args);
      EXPECT_EQ(result.exit_code, 78) << name << "\n" << result.output;
      EXPECT_NE(result.output.find(name), std::string::npos) << result.output;
      EXPECT_EQ(leaked_in(result.output), "") << name << "\n" << result.output;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(RedisPassword, SecretsEndToEnd, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& param) {
                           return param.param ? std::string("PercentEncoded") : std::string("RawSlash");
                         });

}  // namespace
}  // namespace sluice::testing
