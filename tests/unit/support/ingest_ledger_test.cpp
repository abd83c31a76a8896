// The test ingest server's rules and records without the network: faults
// before checks, the checks in order, what is recorded and when it counts
// as answered.
#include "support/ingest_ledger.hpp"

#include <gtest/gtest.h>

#include "deliver/gzip.hpp"
#include "support/ingest_contract.hpp"
#include "support/sample_events.hpp"

namespace sluice::testing {
namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

constexpr char kKey[] = "sk_ledger_key";

RecordedRequest request_with(std::string body, std::string key = kKey) {
  RecordedRequest request;
  request.arrived = SteadyClock::now();
  request.connection = 1;
  request.target = "/api/ingest";
  request.headers["authorization"] = "Bearer " + key;
  request.wire_bytes = body.size();
  request.body = std::move(body);
  return request;
}

std::string body_of(std::initializer_list<std::string> events) {
  std::string body = R"({"events":[)";
  for (const auto& event : events) {
    if (body.back() != '[') body.push_back(',');
    body.append(event);
  }
  body.append("]}");
  return body;
}

std::string error_code(const Answer& answer) {
  return Json::parse(answer.body)["error"].value("code", "");
}

TEST(TestIngestLedger, AcceptsValidEventsAndRecordsTheRequest) {
  IngestLedger ledger(kKey, false);
  const auto a = sample_job_event("a", 1), b = sample_job_event("b", 2);
  std::size_t index = 99;
  const Answer answer = ledger.handle(request_with(body_of({a, b})), index);
  EXPECT_EQ(answer.status, 202);
  EXPECT_EQ(index, 0u);
  EXPECT_EQ(ledger.accepted_events(), (std::vector<std::string>{a, b}));
  EXPECT_EQ(ledger.accepted_count(), 2u);
  ASSERT_EQ(ledger.requests().size(), 1u);
  EXPECT_EQ(ledger.requests()[0].status, 202);
  EXPECT_EQ(ledger.requests()[0].events.size(), 2u);
}

TEST(TestIngestLedger, AnsweredStampsTheRequestAtItsIndex) {
  IngestLedger ledger(kKey, false);
  std::size_t first = 0, second = 0;
  ledger.handle(request_with(body_of({sample_job_event("a", 1)})), first);
  ledger.handle(request_with(body_of({sample_job_event("a", 2)})), second);
  ASSERT_EQ(second, 1u);
  const auto requests_before = ledger.requests();
  const auto when = requests_before[1].arrived + 250ms;
  ledger.answered(second, when);
  ledger.answered(7, when);  // out of range: ignored
  const auto requests = ledger.requests();
  EXPECT_EQ(requests[1].answered, when);
  EXPECT_EQ(requests[1].arrived, requests_before[1].arrived);
  EXPECT_EQ(requests[0].answered, SteadyClock::time_point{}) << "not answered yet";
}

TEST(TestIngestLedger, QueuedFaultsComeBeforeTheStandingFaultThenTheNormalPath) {
  IngestLedger ledger(kKey, false);
  ledger.fail_next(Fault::answer(429, "3"), 2);
  ledger.fail_all(Fault::answer(503, "", 40ms));
  std::size_t index = 0;
  const auto body = body_of({sample_job_event("a", 1)});
  const Answer first = ledger.handle(request_with(body), index);
  EXPECT_EQ(first.status, 429);
  EXPECT_EQ(first.retry_after, "3");
  EXPECT_EQ(error_code(first), "RATE_LIMITED");
  EXPECT_EQ(ledger.handle(request_with(body), index).status, 429);
  const Answer standing = ledger.handle(request_with(body), index);
  EXPECT_EQ(standing.status, 503);
  EXPECT_EQ(standing.delay, 40ms);
  EXPECT_EQ(ledger.handle(request_with(body), index).status, 503);
  ledger.clear_faults();
  EXPECT_EQ(ledger.handle(request_with(body), index).status, 202);
  EXPECT_EQ(ledger.request_count(), 5u);
  EXPECT_EQ(ledger.accepted_count(), 1u);
}

TEST(TestIngestLedger, ChecksSizeThenKeyThenSchemaAndMarker) {
  IngestLedger ledger(kKey, false);
  std::size_t index = 0;
  const auto body = body_of({sample_job_event("a", 1)});
  ledger.set_max_body_bytes(body.size() - 1);
  EXPECT_EQ(ledger.handle(request_with(body, "wrong"), index).status, 413) << "size is checked first";
  ledger.set_max_body_bytes(1 << 20);
  const Answer unauthorized = ledger.handle(request_with(body, "wrong"), index);
  EXPECT_EQ(unauthorized.status, 401);
  EXPECT_EQ(error_code(unauthorized), "UNAUTHORIZED");
  EXPECT_EQ(ledger.handle(request_with("{not json"), index).status, 400);

  ledger.set_invalid_marker("poison");
  const Answer rejected =
      ledger.handle(request_with(body_of({sample_job_event("a", 2), sample_job_event("poison", 3)})), index);
  EXPECT_EQ(rejected.status, 400);
  const Json details = Json::parse(rejected.body)["error"]["details"];
  ASSERT_EQ(details.size(), 1u);
  EXPECT_EQ(details[0]["path"], "events.1");
  EXPECT_TRUE(ledger.accepted_events().empty()) << "a rejected request accepts nothing";
}

TEST(TestIngestLedger, InflatesGzipBodies) {
  IngestLedger ledger(kKey, false);
  const auto event = sample_job_event("a", 1);
  auto request = request_with(deliver::gzip_compress(body_of({event})).value());
  request.headers["content-encoding"] = "gzip";
  std::size_t index = 0;
  EXPECT_EQ(ledger.handle(std::move(request), index).status, 202);
  EXPECT_TRUE(ledger.requests()[0].gzip_valid);
  EXPECT_EQ(ledger.accepted_events(), std::vector<std::string>{event});

  auto broken = request_with("not gzip");
  broken.headers["content-encoding"] = "gzip";
  const Answer answer = ledger.handle(std::move(broken), index);
  EXPECT_EQ(answer.status, 400);
  EXPECT_EQ(error_code(answer), "INVALID_ENCODING");
}

TEST(TestIngestLedger, CountOnlyCountsEventsAndRecordsNothing) {
  IngestLedger ledger(kKey, true);
  std::size_t index = 0;
  ledger.handle(request_with(body_of({sample_job_event("a", 1), sample_job_event("b", 2)})), index);
  ledger.answered(index, SteadyClock::now());  // harmless without records
  EXPECT_EQ(ledger.accepted_count(), 2u);
  EXPECT_EQ(ledger.request_count(), 1u);
  EXPECT_TRUE(ledger.requests().empty());
  EXPECT_TRUE(ledger.accepted_events().empty());
}

TEST(TestIngestLedger, CountsConnectionsAndTlsFailures) {
  IngestLedger ledger(kKey, false);
  ledger.count_connection();
  ledger.count_connection();
  ledger.count_tls_failure();
  EXPECT_EQ(ledger.connection_count(), 2u);
  EXPECT_EQ(ledger.tls_failures(), 1u);
}

TEST(TestIngestLedger, CountEventsScansTheTopLevelArray) {
  EXPECT_EQ(count_events(R"({"events":[]})"), 0u);
  EXPECT_EQ(count_events(R"({"events":[ ]})"), 0u);
  EXPECT_EQ(count_events(R"({"events":[{"a":[1,2]},{"b":"],[,"}]})"), 2u);
  EXPECT_EQ(count_events(R"({"events":[{"s":"\"]"}]})"), 1u);
  EXPECT_EQ(count_events(R"({"events":[{"a":1})"), std::nullopt);
  EXPECT_EQ(count_events("no array"), std::nullopt);
}

}  // namespace
}  // namespace sluice::testing
