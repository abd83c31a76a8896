// The guards of the configuration that protect secrets and the process:
// the loopback test for plain http, Redis URLs whose password has a raw '/',
// control characters (CRLF env files), and the health address.
#include <gtest/gtest.h>

#include <algorithm>

#include "config/load.hpp"
#include "config/render.hpp"
#include "config/url.hpp"

namespace sluice::config {
namespace {

constexpr const char* kGuardsUuid = "550e8400-e29b-41d4-a716-446655440000";

Environment guards_env() { return {{"SLUICE_CONNECTION_ID", kGuardsUuid}, {"SLUICE_API_KEY", "sk_test_secret_value"}}; }

LoadResult load_env(const Environment& env) { return load_settings(CommandLine{}, env); }

std::string everything_printed(const LoadResult& r) {
  std::string out = effective_config_text(r);
  for (const auto& e : r.errors) out += e + "\n";
  for (const auto& w : r.warnings) out += w + "\n";
  return out;
}

bool guard_error_containing(const LoadResult& r, const std::string& text) {
  return std::any_of(r.errors.begin(), r.errors.end(),
                     [&](const std::string& e) { return e.find(text) != std::string::npos; });
}

TEST(LoopbackGuard, OnlyLoopbackAddressesAndLocalhostAreLoopback) {
  for (const char* host : {"localhost", "LocalHost", "127.0.0.1", "127.255.0.9", "::1", "0:0:0:0:0:0:0:1",
                           "::ffff:127.0.0.1"}) {
    EXPECT_TRUE(is_loopback_host(host)) << host;
  }
  for (const char* host : {"127.0.0.1.attacker.example", "127.attacker.example", "localhost.attacker.example",
                           "::1.example", "127.0.0.1x", "1127.0.0.1", "128.0.0.1", "::2", "", "127.1",
                           "localhost:80"}) {
    EXPECT_FALSE(is_loopback_host(host)) << host;
  }
}

TEST(LoopbackGuard, AHostNameThatStartsLikeLoopbackNeedsTheInsecureFlag) {
  auto env = guards_env();
  env["SLUICE_API_URL"] = "http://127.0.0.1.attacker.example/api";
  EXPECT_TRUE(guard_error_containing(load_env(env), "plain http://"));
  env["SLUICE_API_URL"] = "http://[::1]:9000/api";
  EXPECT_TRUE(load_env(env).ok());
}

TEST(RedisPasswordWithSlash, IsParsedAndNeverPrinted) {
  auto url = parse_redis_url("redis://:pa/ss/word@redis.example:6380/2");
  ASSERT_TRUE(url) << url.error();
  EXPECT_EQ(url->password, "pa/ss/word");
  EXPECT_EQ(url->host, "redis.example");
  EXPECT_EQ(url->port, 6380);
  EXPECT_EQ(url->db, 2);
  EXPECT_EQ(masked_redis_url("redis://:pa/ss/word@redis.example:6380/2"), "redis://:****@redis.example:6380/2");
  EXPECT_EQ(masked_redis_url("redis://app:pa/ss@h/0"), "redis://app:****@h/0");
}

TEST(RedisPasswordWithSlash, NoPasswordShapeReachesCheckConfigOrErrors) {
  for (const char* url : {"redis://:Sl/ash-Secret@127.0.0.1:6379/0", "redis://:Sl/ash-Secret@127.0.0.1:6379/x",
                          "redis://user:Sl/ash-Secret@", "redis://:Sl%2Fash-Secret@h:0/0",
                          "http://:Sl/ash-Secret@h/0", "user:Sl/ash-Secret@h:6379",
                          "unix:///s?password=Sl/ash-Secret&db=x"}) {
    auto env = guards_env();
    env["SLUICE_REDIS_URL"] = url;
    const std::string printed = everything_printed(load_env(env));
    EXPECT_EQ(printed.find("Sl/ash"), std::string::npos) << url << "\n" << printed;
    EXPECT_EQ(printed.find("Sl%2Fash"), std::string::npos) << url << "\n" << printed;
  }
}

TEST(ApiUrlWithCredentials, IsRefusedWithoutEchoingThem) {
  auto env = guards_env();
  env["SLUICE_API_URL"] = "https://user:Url-Secret-77@sluice.example/api";
  const LoadResult r = load_env(env);
  EXPECT_TRUE(guard_error_containing(r, "SLUICE_API_URL"));
  EXPECT_EQ(everything_printed(r).find("Url-Secret-77"), std::string::npos) << everything_printed(r);
}

TEST(ControlCharacters, AnApiKeyWithCrLfIsRefusedWithoutEchoingIt) {
  auto env = guards_env();
  env["SLUICE_API_KEY"] = "sk_live_Crlf-Secret\r\nX-Injected: yes";
  const LoadResult r = load_env(env);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(guard_error_containing(r, "SLUICE_API_KEY contains a control character"));
  EXPECT_EQ(everything_printed(r).find("Crlf-Secret"), std::string::npos) << everything_printed(r);
}

TEST(ControlCharacters, ATrailingCarriageReturnNamesCrlfLineEndings) {
  auto env = guards_env();
  env["SLUICE_API_KEY"] = "sk_live_Crlf-Secret\r";
  const LoadResult r = load_env(env);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(guard_error_containing(r, "CRLF")) << everything_printed(r);
  EXPECT_EQ(everything_printed(r).find("Crlf-Secret"), std::string::npos);
}

TEST(ControlCharacters, AreRefusedInEverySetting) {
  for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{
           {"SLUICE_CONNECTION_ID", std::string(kGuardsUuid) + "\r"},
           {"SLUICE_REDIS_URL", "redis://:pw\n@h/0"},
           {"SLUICE_GLOBAL_KEYPREFIX", "app\x01"},
           {"SLUICE_QUEUES", "a,b\x7f"},
           {"SLUICE_FLUSH_INTERVAL", "1s\r"}}) {
    auto env = guards_env();
    env[name] = value;
    const LoadResult r = load_env(env);
    EXPECT_TRUE(guard_error_containing(r, name + " contains a control character")) << name << "\n"
                                                                                 << everything_printed(r);
  }
}

TEST(HealthAddr, CheckConfigRefusesWhatTheDaemonCannotListenOn) {
  for (const char* addr : {"::1:8081", "[::1", "host:", "host:99999", "8081", "[::1]x:80"}) {
    auto env = guards_env();
    env["SLUICE_HEALTH_ADDR"] = addr;
    EXPECT_TRUE(guard_error_containing(load_env(env), "SLUICE_HEALTH_ADDR")) << addr;
  }
  for (const char* addr : {"[::1]:8081", ":8081", "127.0.0.1:0", "off", "localhost:9000"}) {
    auto env = guards_env();
    env["SLUICE_HEALTH_ADDR"] = addr;
    EXPECT_TRUE(load_env(env).ok()) << addr;
  }
}

}  // namespace
}  // namespace sluice::config
