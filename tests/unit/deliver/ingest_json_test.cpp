#include "deliver/ingest_json.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "common/iso_time.hpp"
#include "track/json_text.hpp"

namespace sluice::deliver {
namespace {

using namespace track;

const IngestJsonContext kContext{"550e8400-e29b-41d4-a716-446655440000"};

TEST(IngestJson, WritesAJobWithExactlyTheContractFieldNames) {
  Job job;
  job.external_id = "3f1c";
  job.name = "app.tasks.send_email";
  job.queue = "default";
  job.state = JobState::active;
  job.previous_state = JobState::queued;
  job.worker_id = "celery@worker-1";
  job.started_at = 1772188196000;
  const std::string json = to_ingest_json({1772188196000, job}, kContext);
  EXPECT_EQ(json, R"({"type":"job_state_change","timestamp":"2026-02-27T10:29:56.000Z","framework":"celery",)"
                  R"("connectionId":"550e8400-e29b-41d4-a716-446655440000","job":{"externalId":"3f1c",)"
                  R"("name":"app.tasks.send_email","queue":"default","state":"active","previousState":"queued",)"
                  R"("workerId":"celery@worker-1","attempt":1,"startedAt":"2026-02-27T10:29:56.000Z"}})");
}

TEST(IngestJson, WritesEveryJobFieldAndExtension) {
  Job job;
  job.external_id = "id";
  job.name = "n";
  job.state = JobState::cancelled;
  job.attempt = 3;
  job.progress = 0.5;
  job.error = "E";
  job.stacktrace = "T";
  job.created_at = 0;
  job.completed_at = 1;
  job.scheduled_for = 2;
  job.parent_id = "p";
  job.root_id = "r";
  job.extensions = {0.12, true, 15, false, false, "", "celery", "2026-11-24T05:29:25.973Z", {}};
  const auto json = nlohmann::json::parse(to_ingest_json({5, job}, kContext));
  const auto& j = json.at("job");
  EXPECT_EQ(j.at("attempt"), 3);
  EXPECT_EQ(j.at("progress"), 0.5);
  EXPECT_EQ(j.at("error"), "E");
  EXPECT_EQ(j.at("stacktrace"), "T");
  EXPECT_EQ(j.at("createdAt"), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(j.at("completedAt"), "1970-01-01T00:00:00.001Z");
  EXPECT_EQ(j.at("scheduledFor"), "1970-01-01T00:00:00.002Z");
  EXPECT_EQ(j.at("parentId"), "p");
  EXPECT_EQ(j.at("rootId"), "r");
  EXPECT_EQ(j.at("extensions"),
            nlohmann::json::parse(R"({"runtime":0.12,"revoked":{"terminated":true,"signum":15,)"
                                  R"("expired":false},"rejected":{"requeue":false},"exchange":"",)"
                                  R"("routingKey":"celery","expires":"2026-11-24T05:29:25.973Z"})"));
}

TEST(IngestJson, OmitsUnknownOptionalFieldsInsteadOfNull) {
  Job job;
  job.external_id = "id";
  job.name = "unknown";
  const std::string json = to_ingest_json({0, job}, kContext);
  EXPECT_EQ(json.find("null"), std::string::npos);
  EXPECT_EQ(json.find("extensions"), std::string::npos);
  const auto parsed = nlohmann::json::parse(json).at("job");
  EXPECT_EQ(parsed.size(), 4u);  // externalId, name, state, attempt
}

TEST(IngestJson, WritesWorkersAndQueues) {
  Worker worker;
  worker.external_id = worker.hostname = "celery@w1";
  worker.pid = 8250;
  worker.state = WorkerState::busy;
  worker.last_heartbeat = 1000;
  worker.active_jobs = 1;
  worker.processed_total = 17;
  worker.metadata = {"py-celery 5.2.6", "Linux", std::vector<double>{0.12, 0.11, 0.04}, 2.0};
  EXPECT_EQ(to_ingest_json({1000, worker}, kContext),
            R"({"type":"worker_state_change","timestamp":"1970-01-01T00:00:01.000Z","framework":"celery",)"
            R"("connectionId":"550e8400-e29b-41d4-a716-446655440000","worker":{"externalId":"celery@w1",)"
            R"("hostname":"celery@w1","pid":8250,"state":"busy","lastHeartbeat":"1970-01-01T00:00:01.000Z",)"
            R"("activeJobs":1,"processedTotal":17,"metadata":{"software":"py-celery 5.2.6","system":"Linux",)"
            R"("loadavg":[0.12,0.11,0.04],"heartbeatInterval":2}}})");
  EXPECT_EQ(to_ingest_json({0, QueueSnapshot{"celery", 42, {}}}, {"c", "celery"}),
            R"({"type":"queue_snapshot","timestamp":"1970-01-01T00:00:00.000Z","framework":"celery",)"
            R"("connectionId":"c","queue":{"name":"celery","depth":42}})");
}

TEST(IngestJson, EscapesTextAndRepairsBrokenUtf8) {
  Job job;
  job.external_id = "id";
  job.name = "q\"\\\n\t\x01 h\xC3\xA9llo \xE2\x9C\x93 bad\xFF\xC3";
  const std::string json = to_ingest_json({0, job}, kContext);
  EXPECT_NE(json.find(R"("name":"q\"\\\n\t\u0001 h)"
                      "\xC3\xA9"
                      R"(llo )"
                      "\xE2\x9C\x93"
                      R"( bad\ufffd\ufffd")"),
            std::string::npos)
      << json;
  EXPECT_EQ(nlohmann::json::parse(json).at("job").at("name"),
            "q\"\\\n\t\x01 h\xC3\xA9llo \xE2\x9C\x93 bad\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(IngestJson, DropsNumbersJsonCannotCarry) {
  Job job;
  job.external_id = "id";
  job.name = "n";
  job.progress = std::nan("");
  job.extensions.runtime = INFINITY;
  const std::string json = to_ingest_json({0, job}, kContext);
  EXPECT_EQ(json.find("progress"), std::string::npos);
  EXPECT_TRUE(nlohmann::json::accept(json));
}

TEST(IngestJson, NumbersRoundTrip) {
  std::string out;
  append_json_number(out, 0.1 + 0.2);
  EXPECT_EQ(std::stod(out), 0.1 + 0.2);
  out.clear();
  append_json_number(out, 9.602099999028724e-05);
  EXPECT_EQ(out, "9.602099999028724e-05");
}

}  // namespace
}  // namespace sluice::deliver
