// Bodies built to be expensive (issue: expansion bombs): every serializer
// holds them to the DecodeLimits — elements per list, values per body,
// nesting — refusing the body whole with one error, and keeps only a few
// element errors and field issues, short lists and bounded text.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "decode/body_decoders.hpp"
#include "decode/event_builder.hpp"
#include "unit/decode/payloads.hpp"

namespace sluice::decode {
namespace {

using nlohmann::json;

enum class Format { plain_json, msgpack, yaml };

std::string name_of(Format format) {
  switch (format) {
    case Format::plain_json: return "json";
    case Format::msgpack: return "msgpack";
    case Format::yaml: return "yaml";
  }
  return "?";
}

class HostileBodies : public ::testing::TestWithParam<Format> {
 protected:
  // The body in this test's serializer (JSON flow text is YAML too).
  std::string encode(const json& value) const {
    if (GetParam() != Format::msgpack) return value.dump();
    const std::vector<std::uint8_t> packed = json::to_msgpack(value);
    return {packed.begin(), packed.end()};
  }

  std::optional<DecodeError> decode(const json& value, DecodedMessage& out, const DecodeLimits& limits = {}) const {
    const std::string body = encode(value);
    switch (GetParam()) {
      case Format::plain_json: return decode_json_body(body, limits, out);
      case Format::msgpack: return decode_msgpack_body(body, limits, out);
      case Format::yaml: return decode_yaml_body(body, limits, out);
    }
    return std::nullopt;
  }
};

json heartbeat() { return {{"type", "worker-heartbeat"}, {"hostname", "w@h"}, {"timestamp", 1.5}, {"freq", 2.0}}; }

// `levels` lists nested in one another around a 0.
json nested(int levels) {
  json value = 0;
  for (int i = 0; i < levels; ++i) value = json::array({value});
  return value;
}

TEST_P(HostileBodies, AListOfMoreElementsThanTheBoundIsRefusedWhole) {
  const DecodeLimits limits;
  DecodedMessage out;
  ASSERT_FALSE(decode(json(std::vector<json>(limits.max_elements, heartbeat())), out));
  EXPECT_EQ(out.events.size(), limits.max_elements);

  DecodedMessage over;
  const auto error = decode(json(std::vector<json>(limits.max_elements + 1, heartbeat())), over);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->reason, DecodeErrorReason::too_large);
  EXPECT_EQ(error->excerpt, "body has more than 1024 elements");
}

TEST_P(HostileBodies, ElementsThatAreNotEventsKeepAFewErrors) {
  DecodedMessage out;
  json body = json(std::vector<json>(1000, 0));
  body.push_back(heartbeat());
  ASSERT_FALSE(decode(body, out));
  EXPECT_EQ(out.events.size(), 1U);
  ASSERT_EQ(out.element_errors.size(), DecodedMessage::kKeptErrors);
  EXPECT_EQ(out.element_errors[0].reason, DecodeErrorReason::not_an_event);
  EXPECT_EQ(out.element_errors[0].excerpt, "element 0: a number, not a map");
}

TEST_P(HostileBodies, ValuesBeyondTheBudgetRefuseTheBodyEvenInSkippedFields) {
  const DecodeLimits limits;
  json event = heartbeat();
  event["args"] = std::vector<int>(limits.max_values - 10, 0);  // args is never kept, only counted
  DecodedMessage out;
  ASSERT_FALSE(decode(event, out));
  EXPECT_EQ(out.events.size(), 1U);

  event["args"] = std::vector<int>(limits.max_values + 1, 0);
  DecodedMessage over;
  const auto error = decode(event, over);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->reason, DecodeErrorReason::too_large);
  EXPECT_EQ(error->excerpt, "body has more than 65536 values");
}

TEST_P(HostileBodies, NestingBeyondTheBoundIsRefused) {
  json event = heartbeat();
  event["kwargs"] = nested(50);
  DecodedMessage out;
  ASSERT_FALSE(decode(json::array({event}), out));
  EXPECT_EQ(out.events.size(), 1U);

  event["kwargs"] = nested(100);
  const auto error = decode(json::array({event}), out);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->reason, DecodeErrorReason::bad_body);
  const auto deep_top = decode(nested(100), out);
  ASSERT_TRUE(deep_top);
  EXPECT_EQ(deep_top->reason, DecodeErrorReason::bad_body);
}

TEST_P(HostileBodies, AKeptListLongerThanItsBoundIsOfTheWrongType) {
  json event = heartbeat();
  event["loadavg"] = std::vector<double>(kMaxListNumbers, 0.5);
  DecodedMessage out;
  ASSERT_FALSE(decode(event, out));
  ASSERT_EQ(out.events.size(), 1U);
  EXPECT_EQ(out.events[0].loadavg->size(), kMaxListNumbers);

  event["loadavg"] = std::vector<double>(kMaxListNumbers + 1, 0.5);
  DecodedMessage over;
  ASSERT_FALSE(decode(event, over));
  ASSERT_EQ(over.events.size(), 1U);
  EXPECT_FALSE(over.events[0].loadavg);
  ASSERT_EQ(over.field_issues.size(), 1U);
  EXPECT_EQ(over.field_issues[0].excerpt, "element 0: loadavg: expected list of numbers, got map or list");
}

TEST_P(HostileBodies, KeptTextIsCutToItsBound) {
  json event = heartbeat();
  event["type"] = "task-failed";
  event["uuid"] = "u1";
  event["traceback"] = std::string(kMaxTextBytes * 3, 't');
  DecodedMessage out;
  ASSERT_FALSE(decode(event, out));
  ASSERT_EQ(out.events.size(), 1U);
  EXPECT_EQ(out.events[0].traceback, std::string(kMaxTextBytes, 't'));
}

TEST_P(HostileBodies, FieldIssuesAreCapped) {
  json body = json::array();
  for (int i = 0; i < 100; ++i) {
    json event = heartbeat();
    event["pid"] = "not a number";
    body.push_back(event);
  }
  DecodedMessage out;
  ASSERT_FALSE(decode(body, out));
  EXPECT_EQ(out.events.size(), 100U);
  EXPECT_EQ(out.field_issues.size(), DecodedMessage::kKeptErrors);
}

INSTANTIATE_TEST_SUITE_P(EverySerializer, HostileBodies, ::testing::Values(Format::plain_json, Format::msgpack, Format::yaml),
                         [](const ::testing::TestParamInfo<Format>& param) { return name_of(param.param); });

TEST(HostileJson, RepeatedBadFieldsKeepAFewIssues) {
  std::string body = R"({"type": "worker-heartbeat", "hostname": "w@h", "timestamp": 1.5)";
  for (int i = 0; i < 10000; ++i) body += R"(, "pid": "x")";
  body += "}";
  DecodedMessage out;
  ASSERT_FALSE(decode_json_body(body, DecodeLimits{}, out));
  EXPECT_EQ(out.events.size(), 1U);
  EXPECT_EQ(out.field_issues.size(), DecodedMessage::kKeptErrors);
}

TEST(HostileYaml, AliasesReplayTheirAnchorWithinTheBudget) {
  DecodedMessage good;
  ASSERT_FALSE(decode_yaml_body(
      "- &e {type: worker-heartbeat, &k hostname: &h h, timestamp: 1.5, loadavg: &l [0.1, 0.2, 0.3]}\n- *e\n"
      "- {type: worker-online, *k : *h, timestamp: 2.5, loadavg: *l}\n",
      DecodeLimits{}, good));
  ASSERT_EQ(good.events.size(), 3U);
  EXPECT_EQ(good.events[1], good.events[0]);
  EXPECT_EQ(good.events[2].hostname, "h");
  EXPECT_EQ(good.events[2].loadavg, (std::vector<double>{0.1, 0.2, 0.3}));
}

TEST(HostileYaml, AliasesOfNothingOrOfThemselvesAreRefused) {
  for (const std::string text : {"- *nothing\n", "- &a [1, *a]\n", "- {[1]: 2}\n"}) {
    DecodedMessage out;
    const auto error = decode_yaml_body(text, DecodeLimits{}, out);
    ASSERT_TRUE(error) << text;
    EXPECT_EQ(error->reason, DecodeErrorReason::bad_body) << text;
  }
}

}  // namespace
}  // namespace sluice::decode
