#include "observe/health_server.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "integration/observe/live_health_server.hpp"
#include "observe/process_metrics.hpp"
#include "support/wait_until.hpp"
#include "support/http_probe.hpp"
#include "support/prometheus_text.hpp"

namespace sluice::observe {
namespace {

using testing::http_get;
using testing::http_request;
using testing::TestConnection;

TEST(HealthServer, HealthFlipsWithTheReport) {
  LiveHealthServer live;
  live.set_report(healthy_report());
  auto ok = http_get(live.port(), "/health");
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.headers["content-type"], "application/json");
  EXPECT_EQ(nlohmann::json::parse(ok.body)["status"], "ok");

  live.set_report(unhealthy_report("Redis connection lost"));
  auto bad = http_get(live.port(), "/health");
  ASSERT_EQ(bad.status, 503);
  const auto doc = nlohmann::json::parse(bad.body);
  EXPECT_EQ(doc["status"], "unhealthy");
  EXPECT_EQ(doc["reasons"][0], "Redis connection lost");

  live.set_report(healthy_report());
  EXPECT_EQ(http_get(live.port(), "/health").status, 200);
}

TEST(HealthServer, ReadyOnceSubscribed) {
  LiveHealthServer live;
  EXPECT_EQ(http_get(live.port(), "/ready").status, 503);
  HealthReport subscribed;
  subscribed.ready = true;
  live.set_report(subscribed);
  auto r = http_get(live.port(), "/ready");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(nlohmann::json::parse(r.body)["status"], "ready");
}

TEST(HealthServer, MetricsParseAndCountersMoveBetweenScrapes) {
  LiveHealthServer live;
  live.on_loop([&] { register_process_metrics(live.metrics()); });
  auto first = http_get(live.port(), "/metrics");
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(first.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(first.headers["cache-control"], "no-store");
  auto a = testing::parse_prometheus_text(first.body);
  ASSERT_TRUE(a) << a.error() << "\n" << first.body;
  EXPECT_TRUE(testing::lint_sluiced(*a).empty());
  EXPECT_EQ(a->value("sluiced_build_info", {{"version", SLUICE_VERSION}}), 1.0);
  EXPECT_GT(a->value("sluiced_process_resident_memory_bytes").value_or(0), 0);

  EXPECT_EQ(http_get(live.port(), "/nope").status, 404);
  auto second = http_get(live.port(), "/metrics");
  auto b = testing::parse_prometheus_text(second.body);
  ASSERT_TRUE(b) << b.error();
  // The first scrape is counted once it is answered, so the second sees it.
  EXPECT_EQ(b->value("sluiced_health_requests_total", {{"code", "200"}}), 1.0);
  EXPECT_EQ(b->value("sluiced_health_requests_total", {{"code", "404"}}), 1.0);
}

TEST(HealthServer, UnknownPathsAndMethodsAreRefused) {
  LiveHealthServer live;
  EXPECT_EQ(http_get(live.port(), "/").status, 404);
  EXPECT_EQ(http_get(live.port(), "/admin").status, 404);
  auto post = http_request(live.port(), "POST", "/health");
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(post.headers["allow"], "GET, HEAD");
  EXPECT_EQ(http_request(live.port(), "DELETE", "/metrics").status, 405);
}

TEST(HealthServer, HeadAnswersWithoutABody) {
  LiveHealthServer live;
  live.set_report(healthy_report());
  auto head = http_request(live.port(), "HEAD", "/health");
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
  EXPECT_EQ(head.headers["content-length"], std::to_string(http_get(live.port(), "/health").body.size()));
}

TEST(HealthServer, OversizedHeadersAndBodiesAreRefused) {
  LiveHealthServer live;
  auto big = TestConnection::open(live.port());
  ASSERT_TRUE(big);
  big->send("GET /health HTTP/1.1\r\nHost: x\r\nX-Filler: " + std::string(64 * 1024, 'a') + "\r\n\r\n");
  auto reply = testing::parse_http_reply(big->read_until_closed());
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 431);

  auto body = TestConnection::open(live.port());
  ASSERT_TRUE(body);
  body->send("GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n");
  reply = testing::parse_http_reply(body->read_until_closed());
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 413);
}

TEST(HealthServer, KeepAliveServesSeveralRequestsOnOneConnection) {
  LiveHealthServer live;
  live.set_report(healthy_report());
  auto c = TestConnection::open(live.port());
  ASSERT_TRUE(c);
  c->send("GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /ready HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  const std::string raw = c->read_until_closed();
  EXPECT_EQ(raw.rfind("HTTP/1.1 200", 0), 0u) << raw;
  EXPECT_NE(raw.find("\"status\":\"ready\""), std::string::npos) << raw;
}

TEST(HealthServer, GarbageIsAnswered400) {
  LiveHealthServer live;
  auto c = TestConnection::open(live.port());
  ASSERT_TRUE(c);
  c->send("\x16\x03\x01\x02\x00 not http\r\n\r\n");
  auto reply = testing::parse_http_reply(c->read_until_closed());
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 400);
}

}  // namespace
}  // namespace sluice::observe
