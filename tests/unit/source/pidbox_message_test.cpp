#include "source/pidbox_message.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sstream>

#include "support/base64_decode.hpp"
#include "support/test_paths.hpp"

namespace sluice::source {
namespace {

using nlohmann::json;

std::string fixture_line(const std::string& scenario, int number) {
  std::istringstream in(testing::read_file(testing::fixture_path("celery-5.2/" + scenario + ".jsonl")));
  std::string line;
  for (int i = 0; i < number; ++i) std::getline(in, line);
  return line;
}

TEST(PidboxMessage, BodyIsThePythonJsonOfTheProtocol) {
  EXPECT_EQ(pidbox_body("enable_events"),
            R"({"method": "enable_events", "arguments": {}, "destination": null, "pattern": null, "matcher": null})");
}

TEST(PidboxMessage, BodyDecodesToExactlyTheProtocolBody) {
  const auto message = json::parse(pidbox_message({"heartbeat", "celery.pidbox", 7, 0, "tag"}));
  EXPECT_EQ(testing::base64_decode(message["body"].get<std::string>()), pidbox_body("heartbeat"));
  EXPECT_EQ(json::parse(testing::base64_decode(message["body"].get<std::string>())),
            json({{"method", "heartbeat"}, {"arguments", json::object()}, {"destination", nullptr},
                  {"pattern", nullptr}, {"matcher", nullptr}}));
}

TEST(PidboxMessage, EnvelopeEqualsTheVerifiedHandBuiltPayload) {
  // Line 17 of enable-rediscli: make_pidbox_payload.py's disable_events,
  // which workers obeyed (docs/celery-protocol.md §7.2).
  const auto captured = json::parse(fixture_line("enable-rediscli", 17));
  const PidboxBroadcast same{"disable_events", "celery.pidbox", 1, captured["headers"]["expires"].get<double>(),
                             captured["properties"]["delivery_tag"].get<std::string>()};
  const std::string built = pidbox_message(same);
  EXPECT_EQ(json::parse(built), captured);
  EXPECT_EQ(json::parse(built)["body"], captured["body"]);  // byte-identical base64
  EXPECT_EQ(built.find('\n'), std::string::npos);
}

TEST(PidboxMessage, CarriesExchangeClockExpiryAndTag) {
  const auto m = json::parse(pidbox_message({"enable_events", "appctl.pidbox", 42, 1700000000.5,
                                             "0b8a8d7e-8a55-4d43-9d43-2b0f7d0e7c11"}));
  EXPECT_EQ(m["content-type"], "application/json");
  EXPECT_EQ(m["content-encoding"], "utf-8");
  EXPECT_EQ(m["headers"], json({{"clock", 42}, {"expires", 1700000000.5}}));
  EXPECT_EQ(m["properties"]["delivery_mode"], 2);
  EXPECT_EQ(m["properties"]["delivery_info"], json({{"exchange", "appctl.pidbox"}, {"routing_key", ""}}));
  EXPECT_EQ(m["properties"]["priority"], 0);
  EXPECT_EQ(m["properties"]["body_encoding"], "base64");
  EXPECT_EQ(m["properties"]["delivery_tag"], "0b8a8d7e-8a55-4d43-9d43-2b0f7d0e7c11");
  EXPECT_FALSE(m.contains("ticket"));
  EXPECT_FALSE(json::parse(testing::base64_decode(m["body"].get<std::string>())).contains("reply_to"));
}

TEST(PidboxMessage, Base64PaddingForEveryLength) {
  // Methods of three lengths mod 3 exercise "==", "=" and no padding.
  for (std::string method : {"a", "ab", "abc", "heartbeat", "enable_events"}) {
    const auto m = json::parse(pidbox_message({method, "celery.pidbox", 1, 0, "t"}));
    const auto body = m["body"].get<std::string>();
    EXPECT_EQ(body.size() % 4, 0u);
    EXPECT_EQ(testing::base64_decode(body), pidbox_body(method)) << method;
  }
}

}  // namespace
}  // namespace sluice::source
