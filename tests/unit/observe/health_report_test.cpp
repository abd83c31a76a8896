#include "observe/health_report.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace sluice::observe {
namespace {

using namespace std::chrono_literals;

const HealthClock::time_point kNow{std::chrono::hours(1000)};
constexpr Duration kThreshold = 60s;

HealthFacts working() {
  HealthFacts f;
  f.subscribed = true;
  f.redis_connected = true;
  f.last_event_at = kNow - 1500ms;
  f.buffer_events = 25;
  f.buffer_capacity = 100;
  f.last_delivery = "sent";
  return f;
}

TEST(HealthReport, WorkingPipelineIsHealthyAndReady) {
  const HealthReport r = assess_health(working(), kNow, kThreshold);
  EXPECT_TRUE(r.healthy);
  EXPECT_TRUE(r.ready);
  EXPECT_TRUE(r.reasons.empty());
  ASSERT_TRUE(r.last_event_age_seconds);
  EXPECT_DOUBLE_EQ(*r.last_event_age_seconds, 1.5);
  EXPECT_EQ(r.version, SLUICE_VERSION);
}

TEST(HealthReport, BeforeTheFirstSubscribeNeitherHealthyNorReady) {
  const HealthReport r = assess_health(HealthFacts{}, kNow, kThreshold);
  EXPECT_FALSE(r.healthy);
  EXPECT_FALSE(r.ready);
  EXPECT_EQ(r.reasons, std::vector<std::string>{"Redis not connected yet"});
  EXPECT_FALSE(r.last_event_age_seconds);
}

TEST(HealthReport, RedisDownIsUnhealthyButStaysReady) {
  HealthFacts f = working();
  f.redis_connected = false;
  const HealthReport r = assess_health(f, kNow, kThreshold);
  EXPECT_FALSE(r.healthy);
  EXPECT_TRUE(r.ready);
  EXPECT_EQ(r.reasons, std::vector<std::string>{"Redis connection lost"});
}

TEST(HealthReport, DeliveryFailingBecomesUnhealthyOnlyAfterTheThreshold) {
  HealthFacts f = working();
  f.last_delivery = "retry";
  f.failing_since = kNow - 59s;
  EXPECT_TRUE(assess_health(f, kNow, kThreshold).healthy);
  f.failing_since = kNow - 75s;
  const HealthReport r = assess_health(f, kNow, kThreshold);
  EXPECT_FALSE(r.healthy);
  EXPECT_EQ(r.reasons, std::vector<std::string>{"delivery failing for 75s (unhealthy after 1m)"});
}

TEST(HealthReport, RejectedApiKeyIsUnhealthyAtOnce) {
  HealthFacts f = working();
  f.rejected_status = 401;
  f.failing_since = kNow;
  const HealthReport r = assess_health(f, kNow, kThreshold);
  EXPECT_FALSE(r.healthy);
  ASSERT_EQ(r.reasons.size(), 1u);
  EXPECT_NE(r.reasons[0].find("HTTP 401"), std::string::npos);
  EXPECT_NE(r.reasons[0].find("SLUICE_API_KEY"), std::string::npos);
}

TEST(HealthReport, AllReasonsAreListed) {
  HealthFacts f = working();
  f.redis_connected = false;
  f.rejected_status = 403;
  f.failing_since = kNow - 2min;
  EXPECT_EQ(assess_health(f, kNow, kThreshold).reasons.size(), 3u);
}

TEST(HealthReport, JsonCarriesTheDocumentedFields) {
  const auto doc = nlohmann::json::parse(render_health_json(assess_health(working(), kNow, kThreshold)));
  EXPECT_EQ(doc["status"], "ok");
  EXPECT_EQ(doc["reasons"], nlohmann::json::array());
  EXPECT_EQ(doc["ready"], true);
  EXPECT_EQ(doc["redis_connected"], true);
  EXPECT_DOUBLE_EQ(doc["last_event_age_seconds"].get<double>(), 1.5);
  EXPECT_EQ(doc["buffer"]["events"], 25);
  EXPECT_EQ(doc["buffer"]["capacity"], 100);
  EXPECT_DOUBLE_EQ(doc["buffer"]["fill"].get<double>(), 0.25);
  EXPECT_EQ(doc["last_delivery"], "sent");
  EXPECT_EQ(doc["version"], SLUICE_VERSION);
  EXPECT_EQ(doc["warnings"], nlohmann::json::array());
}

// The HA role is shown only with SLUICE_HA; a standby is healthy and ready.
TEST(HealthReport, RoleIsShownOnlyForAnHaInstance) {
  EXPECT_FALSE(nlohmann::json::parse(render_health_json(assess_health(working(), kNow, kThreshold))).contains("role"));
  HealthFacts standby = working();
  standby.ha_role = "standby";
  const HealthReport r = assess_health(standby, kNow, kThreshold);
  EXPECT_TRUE(r.healthy);
  EXPECT_TRUE(r.ready);
  EXPECT_EQ(nlohmann::json::parse(render_health_json(r))["role"], "standby");
}

// Only a sentinel:// deployment has a master to name.
TEST(HealthReport, SentinelMasterAndFailoversOnlyWithSentinel) {
  EXPECT_FALSE(nlohmann::json::parse(render_health_json(assess_health(working(), kNow, kThreshold))).contains("sentinel"));
  auto facts = working();
  facts.sentinel = SentinelHealth{"10.0.0.2:6379", 2};
  const auto doc = nlohmann::json::parse(render_health_json(assess_health(facts, kNow, kThreshold)));
  EXPECT_EQ(doc["sentinel"], (nlohmann::json{{"master", "10.0.0.2:6379"}, {"failovers", 2}}));
  facts.sentinel = SentinelHealth{};  // none confirmed yet
  EXPECT_TRUE(nlohmann::json::parse(render_health_json(assess_health(facts, kNow, kThreshold)))["sentinel"]["master"].is_null());
}

// Diagnostics explain silence; they are not failures.
TEST(HealthReport, WarningsAreListedWithoutMakingItUnhealthy) {
  HealthFacts f = working();
  f.warnings = {{"worker_clock_drift", "clock of worker w1@host is 30s ahead of local time"},
                {"task_sent_events_missing", "20 tasks in a row were received without any task-sent event"}};
  const HealthReport r = assess_health(f, kNow, kThreshold);
  EXPECT_TRUE(r.healthy);
  EXPECT_TRUE(r.reasons.empty());
  EXPECT_EQ(r.warnings, f.warnings);
  const auto doc = nlohmann::json::parse(render_health_json(r));
  EXPECT_EQ(doc["status"], "ok");
  ASSERT_EQ(doc["warnings"].size(), 2u);
  EXPECT_EQ(doc["warnings"][0]["id"], "worker_clock_drift");
  EXPECT_EQ(doc["warnings"][0]["message"], "clock of worker w1@host is 30s ahead of local time");
  EXPECT_EQ(doc["warnings"][1]["id"], "task_sent_events_missing");
}

TEST(HealthReport, JsonOfAnUnhealthyReportNamesTheReasons) {
  const auto doc = nlohmann::json::parse(render_health_json(assess_health(HealthFacts{}, kNow, kThreshold)));
  EXPECT_EQ(doc["status"], "unhealthy");
  EXPECT_EQ(doc["reasons"][0], "Redis not connected yet");
  EXPECT_TRUE(doc["last_event_age_seconds"].is_null());
  EXPECT_EQ(doc["buffer"]["fill"], 0.0);
}

TEST(HealthReport, ReadyJson) {
  HealthReport r;
  EXPECT_EQ(nlohmann::json::parse(render_ready_json(r))["status"], "not ready");
  r.ready = true;
  EXPECT_EQ(nlohmann::json::parse(render_ready_json(r))["status"], "ready");
}

}  // namespace
}  // namespace sluice::observe
