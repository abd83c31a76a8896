// Bodies and their events: map or list shapes, element errors among good
// elements, per-field type checks, tagged values, serializers, control.
#include <gtest/gtest.h>

#include "decode/decode_message.hpp"
#include "unit/decode/payloads.hpp"

namespace sluice::decode {
namespace {

using namespace testing;  // the payload builders of unit/decode/payloads.hpp

DecodedMessage decode_ok(const std::string& payload) {
  auto result = decode_message(payload, DecodeLimits{});
  EXPECT_TRUE(result) << (result ? "" : to_string(result.error().reason));
  return result ? *std::move(result) : DecodedMessage{};
}

std::vector<DecodeErrorReason> reasons(const std::vector<DecodeError>& errors) {
  std::vector<DecodeErrorReason> out;
  for (const auto& e : errors) out.push_back(e.reason);
  return out;
}

TEST(DecodeEvents, MapBodyIsOneEventWithRoutingKeyAndExchange) {
  const auto m = decode_ok(json_payload(event_json("task-started")));
  EXPECT_EQ(m.kind, MessageKind::events);
  EXPECT_EQ(m.exchange, "celeryev");
  EXPECT_EQ(m.routing_key, "task.multi");
  ASSERT_EQ(m.events.size(), 1U);
  CeleryEvent want;
  want.type = "task-started";
  want.hostname = "w@h";
  want.timestamp = 1795498137.5;
  want.pid = 7;
  want.clock = 3;
  want.uuid = "8736e3a2-e8f6-4a4d-8c8d-52bfbdd00778";
  EXPECT_EQ(m.events[0], want);
}

TEST(DecodeEvents, EmptyListIsZeroEventsNotAnError) {
  const auto m = decode_ok(json_payload("[]"));
  EXPECT_TRUE(m.events.empty());
  EXPECT_TRUE(m.element_errors.empty());
}

TEST(DecodeEvents, BadElementsAreCountedAndGoodOnesKeptInOrder) {
  const std::string body = "[" + event_json("task-received") + R"(, 5, "x", null, [1], )" +
                           R"({"hostname": "w@h", "timestamp": 1.0}, )" +  // no type
                           event_json("task-started") + ", " +
                           R"({"type": "task-failed", "hostname": "w@h", "timestamp": "yesterday", "uuid": "u"}, )" +
                           R"({"type": "task-failed", "hostname": "w@h", "uuid": "u"}, )" +
                           R"({"type": "worker-heartbeat", "hostname": 3, "timestamp": 1.0}, )" +
                           R"({"type": "task-failed", "hostname": "w@h", "timestamp": 1.0}, )" +  // no uuid
                           R"({"type": 7, "hostname": "w@h", "timestamp": 1.0}, )" +
                           event_json("task-succeeded") + "]";
  const auto m = decode_ok(json_payload(body));
  ASSERT_EQ(m.events.size(), 3U);
  EXPECT_EQ(m.events[0].type, "task-received");
  EXPECT_EQ(m.events[1].type, "task-started");
  EXPECT_EQ(m.events[2].type, "task-succeeded");
  using R = DecodeErrorReason;
  EXPECT_EQ(reasons(m.element_errors),
            (std::vector<R>{R::not_an_event, R::not_an_event, R::not_an_event, R::not_an_event, R::not_an_event,
                            R::wrong_field_type, R::missing_field, R::wrong_field_type, R::missing_field,
                            R::not_an_event}));
  EXPECT_EQ(m.element_errors[0].excerpt, "element 1: a number, not a map");
  EXPECT_EQ(m.element_errors[5].excerpt, "element 7: task-failed: timestamp has the wrong type");
  EXPECT_TRUE(m.field_issues.empty());
}

TEST(DecodeEvents, NonFiniteTimestampIsAWrongType) {
  const auto m = decode_ok(json_payload(R"({"type": "worker-online", "hostname": "w@h", "timestamp": NaN})"));
  EXPECT_TRUE(m.events.empty());
  EXPECT_EQ(reasons(m.element_errors), std::vector{DecodeErrorReason::wrong_field_type});
}

TEST(DecodeEvents, WrongTypedOptionalFieldsAreDroppedAsSoftIssues) {
  const auto m = decode_ok(json_payload(event_json(
      "task-sent", R"(, "retries": "0", "name": 5, "eta": null, "queue": "celery", "pid": 1.5, "uuid2": {})")));
  ASSERT_EQ(m.events.size(), 1U);
  const CeleryEvent& e = m.events[0];
  EXPECT_FALSE(e.retries);
  EXPECT_FALSE(e.name);
  EXPECT_FALSE(e.eta);
  EXPECT_EQ(e.queue, "celery");
  EXPECT_EQ(e.pid, 7);  // the valid earlier pid stays
  ASSERT_EQ(m.field_issues.size(), 3U);
  EXPECT_EQ(m.field_issues[0].reason, DecodeErrorReason::wrong_field_type);
  EXPECT_EQ(m.field_issues[0].excerpt, "element 0: retries: expected integer, got string");
  EXPECT_EQ(m.field_issues[1].excerpt, "element 0: name: expected string, got integer");
  EXPECT_EQ(m.field_issues[2].excerpt, "element 0: pid: expected integer, got float");
}

TEST(DecodeEvents, EveryKeptFieldIsMapped) {
  const auto m = decode_ok(json_payload(
      R"([{"type": "worker-heartbeat", "hostname": "w@h", "timestamp": 2, "utcoffset": -6, "pid": 9, "clock": 4,)"
      R"( "freq": 5, "active": 1, "processed": 17, "loadavg": [0.12, 0.11, 0], "sw_ident": "py-celery",)"
      R"( "sw_ver": "5.2.6", "sw_sys": "Linux"},)"
      R"( {"type": "task-revoked", "hostname": "w@h", "timestamp": 3.5, "uuid": "u1", "terminated": true,)"
      R"j( "signum": "15", "expired": false, "requeue": true, "runtime": 0.25, "exception": "E()", "traceback": "T",)j"
      R"( "retries": 2, "eta": "2026-11-24T05:29:01+00:00", "expires": null, "parent_id": "p", "root_id": "r",)"
      R"( "name": "n", "queue": "q", "exchange": "", "routing_key": "celery", "progress": 0.5, "current": 1,)"
      R"j( "total": 3, "args": "(1,)", "kwargs": "{}", "result": "'secret'", "custom": {"a": [1, {"b": 2}]}}])j"));
  ASSERT_EQ(m.events.size(), 2U);
  const CeleryEvent& w = m.events[0];
  EXPECT_EQ(w.freq, 5.0);
  EXPECT_EQ(w.active, 1);
  EXPECT_EQ(w.processed, 17);
  EXPECT_EQ(w.loadavg, (std::vector<double>{0.12, 0.11, 0}));
  EXPECT_EQ(w.sw_ident, "py-celery");
  EXPECT_EQ(w.sw_ver, "5.2.6");
  EXPECT_EQ(w.sw_sys, "Linux");
  EXPECT_EQ(w.timestamp, 2.0);
  const CeleryEvent& t = m.events[1];
  EXPECT_EQ(t.terminated, true);
  EXPECT_EQ(t.signum, 15);  // a decimal string (§4.3)
  EXPECT_EQ(t.expired, false);
  EXPECT_EQ(t.requeue, true);
  EXPECT_EQ(t.runtime, 0.25);
  EXPECT_EQ(t.exception, "E()");
  EXPECT_EQ(t.traceback, "T");
  EXPECT_EQ(t.retries, 2);
  EXPECT_EQ(t.eta, "2026-11-24T05:29:01+00:00");
  EXPECT_FALSE(t.expires);
  EXPECT_EQ(t.parent_id, "p");
  EXPECT_EQ(t.root_id, "r");
  EXPECT_EQ(t.name, "n");
  EXPECT_EQ(t.queue, "q");
  EXPECT_EQ(t.exchange, "");
  EXPECT_EQ(t.routing_key, "celery");
  EXPECT_EQ(t.progress, 0.5);
  EXPECT_EQ(t.current, 1.0);
  EXPECT_EQ(t.total, 3.0);
  EXPECT_TRUE(m.field_issues.empty());
}

TEST(DecodeEvents, TaskPayloadsNeverReachTheEvent) {
  const std::string secret = "hunter2-secret";
  const auto m = decode_ok(json_payload(event_json(
      "task-succeeded", R"(, "args": ")" + secret + R"(", "kwargs": ")" + secret + R"(", "result": ")" + secret +
                            R"(", ")" + secret + R"(": ")" + secret + "\"")));
  ASSERT_EQ(m.events.size(), 1U);
  std::ostringstream printed;
  printed << m.events[0];
  EXPECT_EQ(printed.str().find(secret), std::string::npos);
  const CeleryEvent& e = m.events[0];
  for (const auto* field : {&e.name, &e.exception, &e.traceback, &e.eta, &e.expires, &e.queue})
    EXPECT_FALSE(*field);
}

TEST(DecodeEvents, TaggedValuesOfKombu53AreUnwrapped) {
  const auto m = decode_ok(json_payload(event_json(
      "task-progress", R"(, "eta": {"__type__": "datetime", "__value__": "2026-11-24T05:29:01+00:00"},)"
                       R"( "progress": {"__value__": "0.75", "__type__": "decimal"},)"
                       R"( "name": {"__type__": "x", "__value__": "n", "extra": 1})")));
  ASSERT_EQ(m.events.size(), 1U);
  EXPECT_EQ(m.events[0].eta, "2026-11-24T05:29:01+00:00");
  EXPECT_EQ(m.events[0].progress, 0.75);
  EXPECT_FALSE(m.events[0].name);  // not exactly the two tag keys
  EXPECT_EQ(m.field_issues.size(), 1U);
}

TEST(DecodeEvents, EscapedAndNonAsciiStringsDecode) {
  const auto m = decode_ok(json_payload(event_json(
      "task-failed", R"j(, "exception": "ValueError('\u00fcn\u00efcode \ud83d\ude00')", "traceback": "a\n\t\"b\"\\/")j"
                     R"(, "name": "bad \ud800 surrogate")")));
  ASSERT_EQ(m.events.size(), 1U);
  EXPECT_EQ(m.events[0].exception, "ValueError('\xc3\xbcn\xc3\xaf" "code \xf0\x9f\x98\x80')");
  EXPECT_EQ(m.events[0].traceback, "a\n\t\"b\"\\/");
  EXPECT_EQ(m.events[0].name, "bad \xef\xbf\xbd surrogate");
}

TEST(DecodeEvents, InvalidUtf8BytesAreReplaced) {
  const auto m = decode_ok(json_payload(event_json("task-started", ", \"name\": \"a\xff\xc3\"")));
  ASSERT_EQ(m.events.size(), 1U);
  EXPECT_EQ(m.events[0].name, "a\xef\xbf\xbd\xef\xbf\xbd");
}

TEST(DecodeEvents, PidboxExchangeIsControlWithoutEvents) {
  auto spec = envelope_of(R"({"method": "enable_events", "arguments": {}})");
  spec.exchange = "appctl.pidbox";
  spec.routing_key = "";
  const auto m = decode_ok(kombu_payload(spec));
  EXPECT_EQ(m.kind, MessageKind::control);
  EXPECT_EQ(m.exchange, "appctl.pidbox");
  EXPECT_TRUE(m.events.empty());
  EXPECT_TRUE(m.element_errors.empty());
}

TEST(DecodeEvents, ZlibCompressedBodiesAreInflated) {
  for (const char* name : {"application/x-gzip", "gzip", "zlib"}) {
    auto spec = envelope_of(testing::zlib_compress("[" + event_json("task-started") + "]"));
    spec.compression = name;
    EXPECT_EQ(decode_ok(kombu_payload(spec)).events.size(), 1U) << name;
  }
}

TEST(DecodeEvents, MsgpackAndYamlBodiesDecodeLikeJson) {
  const nlohmann::json event = nlohmann::json::parse(event_json("task-started"));
  const std::vector<std::uint8_t> packed = nlohmann::json::to_msgpack(nlohmann::json::array({event}));
  const auto from_json = decode_ok(json_payload(event.dump()));
  const auto from_msgpack =
      decode_ok(kombu_payload(envelope_of(std::string(packed.begin(), packed.end()), "application/x-msgpack")));
  const auto from_yaml = decode_ok(kombu_payload(envelope_of(
      "type: task-started\nhostname: w@h\nutcoffset: 0\npid: 7\nclock: 3\ntimestamp: 1795498137.5\n"
      "uuid: 8736e3a2-e8f6-4a4d-8c8d-52bfbdd00778\n",
      "application/x-yaml")));
  EXPECT_EQ(from_msgpack.events, from_json.events);
  EXPECT_EQ(from_yaml.events, from_json.events);
}

TEST(DecodeEvents, BodyWithoutEncodingIsUsedAsIs) {
  auto spec = envelope_of(event_json("worker-online"));
  spec.base64 = false;
  EXPECT_EQ(decode_ok(kombu_payload(spec)).events.size(), 1U);
}

TEST(DecodeEvents, TaggedBytesBodyOfKombu53) {
  const std::string event = event_json("worker-online");
  const nlohmann::json as_bytes = {{"body", {{"__type__", "bytes"}, {"__value__", event}}},
                                   {"content-type", "application/json"},
                                   {"properties", {{"delivery_info", {{"exchange", "celeryev"}}}}}};
  nlohmann::json as_base64 = as_bytes;
  as_base64["body"] = {{"__value__", base64_encode(event)}, {"__type__", "base64"}};
  EXPECT_EQ(decode_ok(as_bytes.dump()).events.size(), 1U);
  EXPECT_EQ(decode_ok(as_base64.dump()).events.size(), 1U);
}

TEST(DecodeEvents, EnvelopeKeysInAnyOrderWithEscapesAndUnknownKeys) {
  const std::string body = base64_encode(event_json("worker-online"));
  std::string escaped = body;
  for (std::size_t at = escaped.find('/'); at != std::string::npos; at = escaped.find('/', at + 2))
    escaped.insert(at, "\\");
  const std::string payload = R"({"x": [1, {"y": null}], "properties": {"delivery_info": {"routing_key": )"
                              R"("worker.online", "exchange": "celeryev"}, "body_encoding": "base64"},)"
                              R"( "content-type": "application/json; charset=utf-8", "\u0062ody": ")" +
                              escaped + "\"}";
  const auto m = decode_ok(payload);
  ASSERT_EQ(m.events.size(), 1U);
  EXPECT_EQ(m.routing_key, "worker.online");
}

}  // namespace
}  // namespace sluice::decode
