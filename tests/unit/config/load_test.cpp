#include "config/load.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "config/setting_spec.hpp"

namespace sluice::config {
namespace {

using namespace std::chrono_literals;

constexpr const char* kUuid = "550e8400-e29b-41d4-a716-446655440000";

Environment valid_env() {
  return {{"SLUICE_CONNECTION_ID", kUuid}, {"SLUICE_API_KEY", "sk_test_secret_value"}};
}

LoadResult load(const Environment& env, std::vector<std::string> args = {}) {
  auto line = parse_command_line(args);
  EXPECT_TRUE(line) << (line ? "" : line.error());
  return load_settings(line ? *line : CommandLine{}, env);
}

bool has_error_containing(const LoadResult& r, const std::string& text) {
  return std::any_of(r.errors.begin(), r.errors.end(),
                     [&](const std::string& e) { return e.find(text) != std::string::npos; });
}

std::string all_errors(const LoadResult& r) {
  std::string out;
  for (const auto& e : r.errors) out += e + "\n";
  return out;
}

TEST(LoadSettings, DefaultsMatchTheDocumentation) {
  auto r = load(valid_env());
  ASSERT_TRUE(r.ok()) << all_errors(r);
  const Settings& s = r.settings;
  EXPECT_EQ(s.api_url.host, "sluice.sh");
  EXPECT_EQ(s.api_url.path, "/api");
  EXPECT_EQ(s.redis.host, "localhost");
  EXPECT_EQ(s.redis.port, 6379);
  EXPECT_EQ(s.framework, "celery");
  EXPECT_EQ(s.health_addr, ":8081");
  EXPECT_EQ(s.log_level, LogLevel::info);
  EXPECT_EQ(s.sink, Sink::https);
  EXPECT_EQ(s.batch_max_events, 500u);
  EXPECT_EQ(s.batch_max_bytes, 1024u * 1024u);
  EXPECT_EQ(s.flush_interval, 1s);
  EXPECT_EQ(s.buffer_max_events, 100'000u);
  EXPECT_EQ(s.enable_events_interval, 10s);
  EXPECT_EQ(s.event_exchange, "celeryev");
  EXPECT_EQ(s.control_exchange, "celery");
  EXPECT_EQ(s.fanout_prefix, "true");
  EXPECT_TRUE(s.fanout_patterns);
  EXPECT_TRUE(s.enable_events);
  EXPECT_EQ(s.task_table_size, 100'000u);
  EXPECT_EQ(s.worker_offline_timeout, 6s);
  EXPECT_EQ(s.refresh_interval, 30s);
  EXPECT_EQ(s.worker_refresh_interval, 5min);
  EXPECT_EQ(s.worker_state_hold, 10s);
  EXPECT_EQ(s.worker_state_min_interval, 60s);
  EXPECT_EQ(s.reorder_window, 250ms);
  EXPECT_EQ(s.max_message_bytes, 16u * 1024 * 1024);
  EXPECT_EQ(s.shutdown_timeout, 5s);
  EXPECT_EQ(s.reconnect_min, 100ms);
  EXPECT_EQ(s.reconnect_max, 5s);
}

TEST(LoadSettings, FlagBeatsEnvironmentBeatsDefault) {
  auto env = valid_env();
  env["SLUICE_FLUSH_INTERVAL"] = "2s";
  env["SLUICE_BATCH_MAX_EVENTS"] = "100";
  auto r = load(env, {"--flush-interval", "500ms"});
  ASSERT_TRUE(r.ok()) << all_errors(r);
  EXPECT_EQ(r.settings.flush_interval, 500ms);          // flag
  EXPECT_EQ(r.settings.batch_max_events, 100u);         // env
  EXPECT_EQ(r.settings.buffer_max_events, 100'000u);    // default
  auto origin_of = [&](const std::string& env_name) {
    for (const auto& v : r.effective) {
      if (v.env == env_name) return v.origin;
    }
    return Origin::default_value;
  };
  EXPECT_EQ(origin_of("SLUICE_FLUSH_INTERVAL"), Origin::flag);
  EXPECT_EQ(origin_of("SLUICE_BATCH_MAX_EVENTS"), Origin::env);
  EXPECT_EQ(origin_of("SLUICE_BUFFER_MAX_EVENTS"), Origin::default_value);
}

TEST(LoadSettings, EmptyEnvironmentValueMeansDefault) {
  auto env = valid_env();
  env["SLUICE_LOG_LEVEL"] = "";
  auto r = load(env);
  ASSERT_TRUE(r.ok()) << all_errors(r);
  EXPECT_EQ(r.settings.log_level, LogLevel::info);
}

TEST(LoadSettings, EmptyEnvironmentListsBothRequiredSettings) {
  auto r = load({});
  EXPECT_EQ(r.errors.size(), 2u) << all_errors(r);
  EXPECT_TRUE(has_error_containing(r, "SLUICE_CONNECTION_ID is required"));
  EXPECT_TRUE(has_error_containing(r, "SLUICE_API_KEY is required"));
}

TEST(LoadSettings, InvalidUuidMessageSaysWhatAndHow) {
  auto env = valid_env();
  env["SLUICE_CONNECTION_ID"] = "my-connection";
  auto r = load(env);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0],
            "SLUICE_CONNECTION_ID is not a valid UUID (got 'my-connection'): use the connection UUID shown "
            "in the Sluice dashboard under Connections");
}

TEST(LoadSettings, ConnectionIdIsCanonicalised) {
  auto env = valid_env();
  env["SLUICE_CONNECTION_ID"] = "550E8400-E29B-41D4-A716-446655440000";
  auto r = load(env);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.settings.connection_id, kUuid);
}

TEST(LoadSettings, ErrorsNameTheFlagWhenTheValueCameFromAFlag) {
  auto r = load(valid_env(), {"--flush-interval=soon"});
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].rfind("--flush-interval is not a duration (got 'soon')", 0), 0u) << r.errors[0];
}

TEST(LoadSettings, StdoutSinkNeedsNoApiKey) {
  auto r = load({{"SLUICE_CONNECTION_ID", kUuid}}, {"--sink", "stdout"});
  EXPECT_TRUE(r.ok()) << all_errors(r);
  EXPECT_EQ(r.settings.sink, Sink::stdout_lines);
}

TEST(LoadSettings, WarnsButAcceptsKeysWithoutSkPrefix) {
  auto env = valid_env();
  env["SLUICE_API_KEY"] = "pk_live_wrongkind";
  auto r = load(env);
  EXPECT_TRUE(r.ok());
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("sk_"), std::string::npos);
  EXPECT_EQ(r.warnings[0].find("pk_live_wrongkind"), std::string::npos);
}

TEST(LoadSettings, EveryProblemIsReportedAtOnce) {
  Environment env = {
      {"SLUICE_CONNECTION_ID", "nope"},        {"SLUICE_FRAMEWORK", "rq"},
      {"SLUICE_LOG_LEVEL", "loud"},            {"SLUICE_HEALTH_ADDR", "8081"},
      {"SLUICE_API_URL", "ftp://x"},           {"SLUICE_REDIS_URL", "localhost"},
      {"SLUICE_BATCH_MAX_EVENTS", "501"},      {"SLUICE_BATCH_MAX_BYTES", "2MiB"},
      {"SLUICE_FLUSH_INTERVAL", "1"},          {"SLUICE_FANOUT_PATTERNS", "maybe"},
      {"SLUICE_EVENT_EXCHANGE", "ev*"},        {"SLUICE_QUEUES", "a,,b"},
      {"SLUICE_SINK", "kafka"},                {"SLUICE_COMPRESSION", "br"},
      {"SLUICE_LOG_FORMAT", "xml"},            {"SLUICE_BUFFER_MAX_EVENTS", "ten"},
  };
  auto r = load(env, {"--api-key", "sk_test"});
  EXPECT_EQ(r.errors.size(), env.size()) << all_errors(r);
  for (const auto& [name, value] : env) EXPECT_TRUE(has_error_containing(r, name)) << name;
}

TEST(LoadSettings, PlainHttpOnlyForLoopbackUnlessAllowed) {
  auto env = valid_env();
  env["SLUICE_API_URL"] = "http://ingest.example/api";
  EXPECT_TRUE(has_error_containing(load(env), "plain http://"));
  env["SLUICE_ALLOW_INSECURE_HTTP"] = "true";
  EXPECT_TRUE(load(env).ok());
  env.erase("SLUICE_ALLOW_INSECURE_HTTP");
  env["SLUICE_API_URL"] = "http://127.0.0.1:9000";
  EXPECT_TRUE(load(env).ok());
}

TEST(LoadSettings, ReconnectBoundsMustBeOrdered) {
  auto env = valid_env();
  env["SLUICE_RECONNECT_MIN"] = "10s";
  env["SLUICE_RECONNECT_MAX"] = "1s";
  EXPECT_TRUE(has_error_containing(load(env), "SLUICE_RECONNECT_MIN"));
}

TEST(LoadSettings, ClientCertificateNeedsItsKey) {
  auto env = valid_env();
  env["SLUICE_REDIS_URL"] = "rediss://h:6380/0";
  env["SLUICE_REDIS_CERT_FILE"] = "/etc/client.pem";
  EXPECT_TRUE(has_error_containing(load(env), "SLUICE_REDIS_KEY_FILE"));
}

TEST(LoadSettings, SentinelUrlNeedsTheMasterName) {
  auto env = valid_env();
  env["SLUICE_REDIS_URL"] = "sentinel://127.0.0.1:26379;sentinel://127.0.0.1:26380/0";
  EXPECT_TRUE(has_error_containing(load(env), "SLUICE_REDIS_SENTINEL_MASTER"));
  env["SLUICE_REDIS_SENTINEL_MASTER"] = "mymaster";
  env["SLUICE_REDIS_SENTINEL_PASSWORD"] = "sentinel-secret-pw";
  env["SLUICE_REDIS_SENTINEL_TLS"] = "true";
  auto r = load(env);
  ASSERT_TRUE(r.ok()) << all_errors(r);
  EXPECT_EQ(r.settings.sentinel_master, "mymaster");
  EXPECT_EQ(r.settings.sentinel_password, "sentinel-secret-pw");
  EXPECT_TRUE(r.settings.sentinel_tls);
  EXPECT_FALSE(r.settings.master_tls);
  EXPECT_EQ(r.settings.redis.sentinels.size(), 2u);
  for (const auto& v : r.effective) EXPECT_EQ(v.shown.find("sentinel-secret-pw"), std::string::npos) << v.env;
}

TEST(LoadSettings, SentinelSettingsWithoutASentinelUrlAreIgnoredWithAWarning) {
  auto env = valid_env();
  env["SLUICE_REDIS_SENTINEL_MASTER"] = "mymaster";
  auto r = load(env);
  ASSERT_TRUE(r.ok()) << all_errors(r);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings.front().find("SLUICE_REDIS_SENTINEL_"), std::string::npos);
}

TEST(LoadSettings, TheWorkerStateHoldMayBeOffButTheRefreshNotTooFrequent) {
  auto env = valid_env();
  env["SLUICE_WORKER_STATE_HOLD"] = "0s";
  env["SLUICE_WORKER_STATE_MIN_INTERVAL"] = "0s";
  env["SLUICE_WORKER_REFRESH_INTERVAL"] = "30s";
  auto r = load(env);
  ASSERT_TRUE(r.ok()) << all_errors(r);
  EXPECT_EQ(r.settings.worker_state_hold, 0s);
  EXPECT_EQ(r.settings.worker_state_min_interval, 0s);
  EXPECT_EQ(r.settings.worker_refresh_interval, 30s);
  env["SLUICE_WORKER_REFRESH_INTERVAL"] = "2s";  // a refresh per heartbeat: refused
  EXPECT_TRUE(has_error_containing(load(env), "SLUICE_WORKER_REFRESH_INTERVAL"));
}

TEST(LoadSettings, ParsesEveryValueKind) {
  auto env = valid_env();
  env["SLUICE_QUEUES"] = "default, emails,reports";
  env["SLUICE_BATCH_MAX_BYTES"] = "512KiB";
  env["SLUICE_FANOUT_PREFIX"] = "/app{db}.";
  env["SLUICE_ENABLE_EVENTS"] = "off";
  env["SLUICE_REDIS_URL"] = "redis://:pw@127.0.0.1:6390/3";
  auto r = load(env, {"--fanout-patterns=false", "--log-format", "json", "--compression=gzip"});
  ASSERT_TRUE(r.ok()) << all_errors(r);
  EXPECT_EQ(r.settings.queues, (std::vector<std::string>{"default", "emails", "reports"}));
  EXPECT_EQ(r.settings.batch_max_bytes, 512u * 1024);
  EXPECT_EQ(r.settings.fanout_prefix, "/app{db}.");
  EXPECT_FALSE(r.settings.enable_events);
  EXPECT_FALSE(r.settings.fanout_patterns);
  EXPECT_EQ(r.settings.log_format, LogFormat::json);
  EXPECT_EQ(r.settings.compression, Compression::gzip);
  EXPECT_EQ(r.settings.redis.db, 3);
  EXPECT_EQ(r.settings.redis.password, "pw");
}

TEST(LoadSettings, SecretsNeverAppearInErrorsOrEffectiveValues) {
  const std::string key = "sk_live_very_secret_key";
  const std::string password = "hunter2-redis-password";
  Environment env = {{"SLUICE_API_KEY", key},
                     {"SLUICE_REDIS_URL", "redis://admin:" + password + "@h:bad/0"},
                     {"SLUICE_CONNECTION_ID", "x"}};
  auto r = load(env);
  ASSERT_FALSE(r.ok());
  for (const auto& line : r.errors) {
    EXPECT_EQ(line.find(key), std::string::npos) << line;
    EXPECT_EQ(line.find(password), std::string::npos) << line;
  }
  for (const auto& v : r.effective) {
    EXPECT_EQ(v.shown.find(key), std::string::npos) << v.env;
    EXPECT_EQ(v.shown.find(password), std::string::npos) << v.env;
  }
}

TEST(SettingTable, NamesFollowOneConvention) {
  for (const auto& spec : setting_table()) {
    std::string expected = "SLUICE_";
    for (char c : spec.flag) expected += c == '-' ? '_' : static_cast<char>(std::toupper(c));
    EXPECT_EQ(spec.env, expected);
    EXPECT_FALSE(spec.help.empty()) << spec.flag;
  }
}

}  // namespace
}  // namespace sluice::config
