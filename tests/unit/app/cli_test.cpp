#include "app/cli.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "config/setting_spec.hpp"
#include "support/test_paths.hpp"

namespace sluice::app {
namespace {

constexpr const char* kUuid = "550e8400-e29b-41d4-a716-446655440000";

struct CliRun {
  int code;
  std::string out;
  std::string err;
};

CliRun run(std::vector<std::string> args, const config::Environment& env) {
  std::ostringstream out, err;
  config::Settings settings;
  int code = handle_command_line(args, env, {out, err}, settings);
  return {code, out.str(), err.str()};
}

TEST(Cli, CheckConfigWithEmptyEnvironmentListsBothMissingSettings) {
  auto r = run({"--check-config"}, {});
  EXPECT_EQ(r.code, kExitConfig);
  EXPECT_NE(r.err.find("SLUICE_CONNECTION_ID is required"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("SLUICE_API_KEY is required"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("(2 problems)"), std::string::npos) << r.err;
}

TEST(Cli, CheckConfigPrintsEffectiveConfigurationWithSecretsMasked) {
  const std::string key = "sk_live_topsecret_1234";
  const std::string password = "redis-hunter2";
  auto r = run({"--check-config", "--redis-url", "redis://app:" + password + "@127.0.0.1:6379/2"},
               {{"SLUICE_API_KEY", key}, {"SLUICE_CONNECTION_ID", kUuid}});
  EXPECT_EQ(r.code, kExitOk) << r.err;
  EXPECT_NE(r.out.find("SLUICE_REDIS_URL"), std::string::npos);
  EXPECT_NE(r.out.find("redis://app:****@127.0.0.1:6379/2  (flag)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("<set, hidden>  (env)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("configuration is valid"), std::string::npos);
  for (const auto* text : {&r.out, &r.err}) {
    EXPECT_EQ(text->find(key), std::string::npos);
    EXPECT_EQ(text->find(password), std::string::npos);
  }
}

TEST(Cli, InvalidConfigurationExits78WithEveryProblem) {
  auto r = run({"--flush-interval", "fast"}, {{"SLUICE_CONNECTION_ID", "abc"}});
  EXPECT_EQ(r.code, kExitConfig);
  EXPECT_NE(r.err.find("SLUICE_CONNECTION_ID is not a valid UUID (got 'abc')"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--flush-interval is not a duration (got 'fast')"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("SLUICE_API_KEY is required"), std::string::npos) << r.err;
}

TEST(Cli, UnknownFlagExits64WithUsage) {
  auto r = run({"--no-such-flag"}, {});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_NE(r.err.find("unknown flag '--no-such-flag'"), std::string::npos);
  EXPECT_NE(r.err.find("usage: sluiced"), std::string::npos);
}

TEST(Cli, ValidConfigurationAsksToRun) {
  auto r = run({"--sink=stdout"}, {{"SLUICE_CONNECTION_ID", kUuid}});
  EXPECT_EQ(r.code, -1) << r.err;
}

TEST(Cli, HelpAndVersionNeedNoConfiguration) {
  auto help = run({"--help"}, {});
  EXPECT_EQ(help.code, kExitOk);
  for (const auto& spec : config::setting_table()) {
    EXPECT_NE(help.out.find("--" + spec.flag), std::string::npos) << spec.flag;
    EXPECT_NE(help.out.find(spec.env), std::string::npos) << spec.env;
  }
  auto version = run({"--version"}, {});
  EXPECT_EQ(version.code, kExitOk);
  EXPECT_EQ(version.out, "sluiced " SLUICE_VERSION "\n");
}

TEST(Cli, EnvExampleFileMatchesTheSettingsTable) {
  auto r = run({"--print-env-example"}, {});
  EXPECT_EQ(r.code, kExitOk);
  EXPECT_EQ(r.out, testing::read_file(testing::source_path("config/sluiced.env.example")))
      << "regenerate with: sluiced --print-env-example > config/sluiced.env.example";
}

}  // namespace
}  // namespace sluice::app
