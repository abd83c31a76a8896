// The test ingest server's own timing, checked from a raw client: a request
// counts as answered just before its answer is written, so the stamp is
// never later than the moment the client has read the answer (retry-gap
// tests compare the next request's arrival against it).
#include "support/ingest_server.hpp"

#include <gtest/gtest.h>

#include "support/http_probe.hpp"
#include "support/sample_events.hpp"

namespace sluice::testing {
namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

std::string ingest_post(const std::string& key, const std::string& body) {
  std::string request = "POST /api/ingest HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  request.append("Authorization: Bearer ").append(key).append("\r\n");
  request.append("Content-Type: application/json\r\nContent-Length: ").append(std::to_string(body.size()));
  request.append("\r\n\r\n").append(body);
  return request;
}

TEST(TestIngestServer, StampsTheAnswerAfterTheDelayAndBeforeTheClientHasIt) {
  TestIngestServer server(IngestServerOptions{false, {}});
  server.fail_next(Fault::answer(429, "3", 100ms));
  const auto sent = SteadyClock::now();
  auto connection = TestConnection::open(server.port());
  ASSERT_TRUE(connection.has_value());
  std::string body = R"({"events":[)";
  body.append(sample_job_event("j", 1)).append("]}");
  ASSERT_TRUE(connection->send(ingest_post(server.api_key(), body)));
  const auto reply = parse_http_reply(connection->read_until_closed(10s));
  const auto read = SteadyClock::now();
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->status, 429);
  EXPECT_EQ(reply->headers.at("retry-after"), "3");

  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_LE(sent, requests[0].arrived);
  EXPECT_GE(requests[0].answered - requests[0].arrived, 100ms) << "stamped after the delay";
  EXPECT_LE(requests[0].answered, read) << "stamped before the client could read the answer";
}

}  // namespace
}  // namespace sluice::testing
