// Malformed payloads: each yields its own typed error, and decoding stays
// stateless — good messages before and after decode in full.
#include <set>

#include <gtest/gtest.h>

#include "decode/decode_message.hpp"
#include "unit/decode/payloads.hpp"

namespace sluice::decode {
namespace {

using namespace testing;  // the payload builders of unit/decode/payloads.hpp

std::string replace(std::string text, const std::string& from, const std::string& to) {
  return text.replace(text.find(from), from.size(), to);
}

std::string good_body() { return "[" + event_json("task-started") + ", " + event_json("task-succeeded") + "]"; }

struct BadCase {
  const char* name;
  std::string payload;
  DecodeErrorReason reason;
};

std::vector<BadCase> make_bad_cases() {
  const std::string good = json_payload(good_body());
  const auto pickle = envelope_of(std::string("\x80\x04\x95\x10\x00", 5), "application/x-python-serialize");
  const auto protobuf = envelope_of("\x08\x01", "application/x-protobuf");
  // A msgpack map of 13 entries, cut inside its first key.
  const auto msgpack = envelope_of(std::string("\x8d\xa8hostname\xaf", 12), "application/x-msgpack");
  const auto yaml = envelope_of("type: [task-started\nhostname: {", "application/x-yaml");
  auto bz2 = envelope_of("BZh91AY&SY");
  bz2.compression = "application/x-bz2";
  auto corrupt_zlib = envelope_of(zlib_compress(good_body()).substr(0, 20) + "garbage");
  corrupt_zlib.compression = "application/x-gzip";
  auto zlib_bomb = envelope_of(zlib_compress("[" + std::string(17 << 20, ' ') + "]"));
  zlib_bomb.compression = "zlib";
  return {
      {"invalid JSON", good.substr(0, good.size() / 2), DecodeErrorReason::invalid_json},
      {"junk binary", std::string("\x00\xff\x80\x1b[0m\xc3\x28", 9), DecodeErrorReason::invalid_json},
      {"empty payload", "", DecodeErrorReason::invalid_json},
      {"trailing junk", good + " x", DecodeErrorReason::invalid_json},
      {"JSON list", R"([{"body": "e30="}])", DecodeErrorReason::not_kombu},
      {"JSON string", R"("hello")", DecodeErrorReason::not_kombu},
      {"result backend", R"({"status": "SUCCESS", "result": 5, "traceback": null, "task_id": "x"})",
       DecodeErrorReason::not_kombu},
      {"properties not a map", replace(good, "\"properties\":{", "\"properties\":7,\"x\":{"),
       DecodeErrorReason::not_kombu},
      {"missing body", replace(good, "\"body\":", "\"bodx\":"), DecodeErrorReason::bad_envelope},
      {"body not a string", R"({"body": 5, "content-type": "application/json", "properties": {}})",
       DecodeErrorReason::bad_envelope},
      {"missing content-type", replace(good, "\"content-type\"", "\"content-typo\""), DecodeErrorReason::bad_envelope},
      {"unknown body_encoding", replace(good, "\"base64\"", "\"rot13\""), DecodeErrorReason::bad_envelope},
      {"bad base64 character", replace(good, "\"body\":\"", "\"body\":\"!!!!"), DecodeErrorReason::bad_base64},
      {"bad base64 padding", replace(good, "\"body\":\"", "\"body\":\"A"), DecodeErrorReason::bad_base64},
      {"padding inside", replace(good, "\"body\":\"", "\"body\":\"AA=="), DecodeErrorReason::bad_base64},
      {"unknown content type", kombu_payload(protobuf), DecodeErrorReason::unknown_content_type},
      {"pickle", kombu_payload(pickle), DecodeErrorReason::pickle_refused},
      {"truncated msgpack", kombu_payload(msgpack), DecodeErrorReason::bad_body},
      {"bad YAML", kombu_payload(yaml), DecodeErrorReason::bad_body},
      {"body is a number", json_payload("42"), DecodeErrorReason::bad_body},
      {"body is a string", json_payload(R"("task-started")"), DecodeErrorReason::bad_body},
      {"body is invalid JSON", json_payload(R"([{"type": "task-started", )"), DecodeErrorReason::bad_body},
      {"body with trailing data", json_payload("[] []"), DecodeErrorReason::bad_body},
      {"body nested too deeply", json_payload(std::string(100000, '[') + std::string(100000, ']')),
       DecodeErrorReason::bad_body},
      {"unsupported compression", kombu_payload(bz2), DecodeErrorReason::unsupported_compression},
      {"corrupt zlib", kombu_payload(corrupt_zlib), DecodeErrorReason::decompress_failed},
      {"zlib bomb", kombu_payload(zlib_bomb), DecodeErrorReason::too_large},
      // Valid JSON (trailing whitespace), refused by size before parsing.
      {"over the size bound", good + std::string(16 << 20, ' '), DecodeErrorReason::too_large},
  };
}

// Built once: the bomb and the oversized payload take a moment to make.
const std::vector<BadCase>& bad_cases() {
  static const std::vector<BadCase> cases = make_bad_cases();
  return cases;
}

TEST(DecodeMalformed, EachBadPayloadYieldsItsReasonAndGoodOnesStillDecode) {
  const std::string good = json_payload(good_body());
  for (const BadCase& bad : bad_cases()) {
    SCOPED_TRACE(bad.name);
    const auto before = decode_message(good, DecodeLimits{});
    const auto result = decode_message(bad.payload, DecodeLimits{});
    const auto after = decode_message(good, DecodeLimits{});
    ASSERT_FALSE(result) << result->events.size() << " events";
    EXPECT_EQ(result.error().reason, bad.reason) << result.error();
    EXPECT_LE(result.error().excerpt.size(), kMaxExcerpt);
    ASSERT_TRUE(before && after);
    EXPECT_EQ(before->events.size(), 2U);
    EXPECT_EQ(*before, *after);
  }
}

TEST(DecodeMalformed, CoversAtLeastTwelveKindsAndMostReasons) {
  std::set<DecodeErrorReason> reasons;
  for (const BadCase& bad : bad_cases()) reasons.insert(bad.reason);
  EXPECT_GE(bad_cases().size(), 12U);
  EXPECT_EQ(reasons.size(), 10U);  // every message-level reason
}

TEST(DecodeMalformed, SizeBoundComesFromTheLimits) {
  const std::string payload = json_payload(good_body());
  EXPECT_TRUE(decode_message(payload, DecodeLimits{payload.size()}));
  const auto result = decode_message(payload, DecodeLimits{payload.size() - 1});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().reason, DecodeErrorReason::too_large);
}

TEST(DecodeMalformed, ExcerptsArePrintable) {
  for (const BadCase& bad : bad_cases()) {
    const auto result = decode_message(bad.payload, DecodeLimits{});
    ASSERT_FALSE(result);
    for (const char c : result.error().excerpt) EXPECT_TRUE(c >= 0x20 && c <= 0x7e) << bad.name;
  }
}

}  // namespace
}  // namespace sluice::decode
