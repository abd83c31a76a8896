#include "observe/http_routes.hpp"

#include <gtest/gtest.h>

#include "observe/http_request.hpp"

namespace sluice::observe {
namespace {

struct RoutesTest : ::testing::Test {
  HealthReport report;
  int report_calls = 0;
  Endpoints endpoints{[this] {
                        ++report_calls;
                        return report;
                      },
                      [] { return std::string("# HELP x_total h\n# TYPE x_total counter\nx_total 1\n"); }};

  Response get(const std::string& target, const std::string& method = "GET") {
    return route_request({method, target, false}, endpoints);
  }
};

TEST_F(RoutesTest, HealthIs200WhenHealthyAnd503WithReasonsWhenNot) {
  report.healthy = true;
  Response ok = get("/health");
  EXPECT_EQ(ok.status, 200u);
  EXPECT_EQ(ok.content_type, "application/json");
  EXPECT_NE(ok.body.find("\"status\":\"ok\""), std::string::npos);
  report = HealthReport{};
  report.reasons = {"Redis connection lost"};
  Response bad = get("/health");
  EXPECT_EQ(bad.status, 503u);
  EXPECT_NE(bad.body.find("Redis connection lost"), std::string::npos);
}

TEST_F(RoutesTest, ReadyFollowsTheReadyFlagOnly) {
  report.healthy = false;
  EXPECT_EQ(get("/ready").status, 503u);
  report.ready = true;
  EXPECT_EQ(get("/ready").status, 200u);
}

TEST_F(RoutesTest, MetricsIsPrometheusText) {
  Response r = get("/metrics");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(r.body, "# HELP x_total h\n# TYPE x_total counter\nx_total 1\n");
  EXPECT_EQ(report_calls, 0);
}

TEST_F(RoutesTest, QueryStringIsIgnored) { EXPECT_EQ(get("/metrics?name[]=x").status, 200u); }

TEST_F(RoutesTest, UnknownPathsAre404) {
  for (const char* target : {"/", "/healthz", "/health/", "/metrics/x", "*", "http://x/health"}) {
    EXPECT_EQ(get(target).status, 404u) << target;
  }
  EXPECT_EQ(get("/nope", "POST").status, 404u);
}

TEST_F(RoutesTest, OtherMethodsAre405WithAllow) {
  for (const char* method : {"POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "get"}) {
    Response r = get("/health", method);
    EXPECT_EQ(r.status, 405u) << method;
    EXPECT_EQ(r.allow, "GET, HEAD");
    EXPECT_TRUE(r.close);
  }
  EXPECT_EQ(report_calls, 0);
}

TEST_F(RoutesTest, HeadGivesTheHeadersOfGet) {
  report.healthy = true;
  Response head = get("/health", "HEAD");
  Response full = get("/health");
  EXPECT_TRUE(head.head_only);
  EXPECT_EQ(head.status, full.status);
  EXPECT_EQ(head.body.size(), full.body.size());
}

TEST_F(RoutesTest, ABodyIsRefused) {
  EXPECT_EQ(route_request({"GET", "/health", true}, endpoints).status, 413u);
}

RequestParser& feed(RequestParser& parser, std::string_view bytes, boost::system::error_code& ec) {
  limit_request(parser, 1024);
  parser.eager(false);
  parser.put(asio::buffer(bytes.data(), bytes.size()), ec);
  return parser;
}

TEST(HttpRequest, ReadsMethodTargetAndBodyAnnouncement) {
  RequestParser parser;
  boost::system::error_code ec;
  feed(parser, "POST /health?x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n", ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_TRUE(parser.is_header_done());
  const RequestHead head = head_of(parser);
  EXPECT_EQ(head.method, "POST");
  EXPECT_EQ(head.target, "/health?x");
  EXPECT_TRUE(head.has_body);
}

TEST(HttpRequest, ChunkedCountsAsABody) {
  RequestParser parser;
  boost::system::error_code ec;
  feed(parser, "GET /health HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", ec);
  ASSERT_TRUE(parser.is_header_done());
  EXPECT_TRUE(head_of(parser).has_body);
}

TEST(HttpRequest, OversizedHeadersAre431) {
  RequestParser parser;
  boost::system::error_code ec;
  const std::string request = "GET /health HTTP/1.1\r\nX-Filler: " + std::string(4096, 'a') + "\r\n\r\n";
  feed(parser, request, ec);
  ASSERT_TRUE(ec);
  auto response = response_for_read_error(ec);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 431u);
  EXPECT_TRUE(response->close);
}

TEST(HttpRequest, GarbageIs400) {
  RequestParser parser;
  boost::system::error_code ec;
  feed(parser, "\x01\x02 nonsense\r\n\r\n", ec);
  ASSERT_TRUE(ec);
  auto response = response_for_read_error(ec);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400u);
}

TEST(HttpRequest, APeerThatLeftGetsNoAnswer) {
  EXPECT_FALSE(response_for_read_error(boost::beast::http::error::end_of_stream));
  EXPECT_FALSE(response_for_read_error(boost::beast::error::timeout));
  EXPECT_FALSE(response_for_read_error(asio::error::connection_reset));
}

}  // namespace
}  // namespace sluice::observe
