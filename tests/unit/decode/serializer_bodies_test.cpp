// The msgpack and YAML front ends (§3.2): same event rules as JSON, with
// their own scalar types and their own ways to blow up.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "decode/body_decoders.hpp"

namespace sluice::decode {
namespace {

DecodedMessage yaml(const std::string& text) {
  DecodedMessage out;
  const auto error = decode_yaml_body(text, DecodeLimits{}, out);
  EXPECT_FALSE(error) << *error;
  return out;
}

TEST(YamlBody, ResolvesPlainScalarsLikePyYaml) {
  const auto m = yaml(
      "- type: worker-heartbeat\n  hostname: yaml@fixture\n  timestamp: 1795498261.1341414\n  pid: 9183\n"
      "  freq: 2.0\n  active: 0\n  loadavg:\n  - 0.12\n  - 0.13\n  - 0.05\n  sw_ver: 5.2.6\n  sw_ident: py-celery\n"
      "- type: task-sent\n  hostname: gen9285@vm\n  timestamp: 1.5\n  uuid: cc91f8b2\n  eta: null\n  expires: ~\n"
      "  exchange: ''\n  retries: 0\n  name: 'yes'\n  queue: \"celery\"\n  args: (20, 22)\n");
  ASSERT_EQ(m.events.size(), 2U);
  const CeleryEvent& w = m.events[0];
  EXPECT_EQ(w.timestamp, 1795498261.1341414);
  EXPECT_EQ(w.pid, 9183);
  EXPECT_EQ(w.freq, 2.0);
  EXPECT_EQ(w.active, 0);
  EXPECT_EQ(w.loadavg, (std::vector<double>{0.12, 0.13, 0.05}));
  EXPECT_EQ(w.sw_ver, "5.2.6");
  const CeleryEvent& t = m.events[1];
  EXPECT_FALSE(t.eta);
  EXPECT_FALSE(t.expires);
  EXPECT_EQ(t.exchange, "");
  EXPECT_EQ(t.retries, 0);
  EXPECT_EQ(t.name, "yes");
  EXPECT_EQ(t.queue, "celery");
  EXPECT_TRUE(m.field_issues.empty());
}

TEST(YamlBody, UnquotedKeywordsAreNotStrings) {
  const auto m = yaml("type: task-started\nhostname: h\ntimestamp: 1e5\nuuid: u\nname: yes\nexception: 12\n");
  EXPECT_TRUE(m.events.empty());  // 1e5 is a string in YAML 1.1
  EXPECT_EQ(m.element_errors.at(0).reason, DecodeErrorReason::wrong_field_type);
  const auto n = yaml("type: task-started\nhostname: h\ntimestamp: 1_000.5\nuuid: u\nname: yes\nexception: 12\n");
  ASSERT_EQ(n.events.size(), 1U);
  EXPECT_EQ(n.events[0].timestamp, 1000.5);
  EXPECT_EQ(n.field_issues.size(), 2U);  // name is a boolean, exception an integer
}

TEST(YamlBody, RefusesBrokenDeepOrExplosiveDocuments) {
  DecodedMessage out;
  for (const std::string& text :
       {std::string("a: [1, 2\n"), std::string("a: b: c\n"), std::string(100, '[') + std::string(100, ']'),
        std::string("- ") + std::string(3000, '['), std::string("just a scalar"), std::string("")}) {
    const auto error = decode_yaml_body(text, DecodeLimits{}, out);
    ASSERT_TRUE(error) << text;
    EXPECT_EQ(error->reason, DecodeErrorReason::bad_body) << text;
  }
  // Billion laughs: aliases would expand to 10^9 nodes.
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char level = 'b'; level <= 'j'; ++level) {
    const char prev = static_cast<char>(level - 1);
    bomb += std::string(1, level) + ": &" + level + " [";
    for (int i = 0; i < 10; ++i) bomb += std::string(i ? ", *" : "*") + prev;
    bomb += "]\n";
  }
  const auto error = decode_yaml_body(bomb, DecodeLimits{}, out);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->reason, DecodeErrorReason::too_large);
  EXPECT_EQ(error->excerpt, "body has more than 65536 values");
}

TEST(MsgpackBody, DecodesKombuPackedEvents) {
  const nlohmann::json events = {{{"type", "task-received"}, {"hostname", "m@h"}, {"timestamp", 2.5},
                                  {"uuid", "u1"}, {"retries", 1}, {"args", nlohmann::json::binary({1, 2})},
                                  {"name", nlohmann::json::binary({'n'})}, {"pid", 18446744073709551615ULL}}};
  const std::vector<std::uint8_t> packed = nlohmann::json::to_msgpack(events);
  DecodedMessage out;
  ASSERT_FALSE(decode_msgpack_body(std::string(packed.begin(), packed.end()), DecodeLimits{}, out));
  ASSERT_EQ(out.events.size(), 1U);
  EXPECT_EQ(out.events[0].retries, 1);
  EXPECT_FALSE(out.events[0].name);  // bin, not str
  EXPECT_FALSE(out.events[0].pid);   // beyond a signed 64-bit integer
  EXPECT_EQ(out.field_issues.size(), 2U);
}

TEST(MsgpackBody, RefusesTruncatedDeepOrNonMapInput) {
  DecodedMessage out;
  const std::string deep(100000, '\x91');  // fixarray of one, nested
  for (const std::string& bytes : {deep, std::string("\x92\x01", 2), std::string("\x81\x01\x02", 3),
                                   std::string("\xc1"), std::string("\x05"), std::string()}) {
    const auto error = decode_msgpack_body(bytes, DecodeLimits{}, out);
    ASSERT_TRUE(error);
    EXPECT_EQ(error->reason, DecodeErrorReason::bad_body);
  }
}

}  // namespace
}  // namespace sluice::decode
