// decode_message_into: one DecodedMessage and DecodeBuffers reused message
// after message give exactly what a fresh decode_message would.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "decode/decode_message.hpp"
#include "unit/decode/payloads.hpp"

namespace sluice::decode {
namespace {

using testing::envelope_of;
using testing::event_json;
using testing::json_payload;
using testing::kombu_payload;
using testing::zlib_compress;

DecodedMessage fresh(const std::string& payload) {
  auto decoded = decode_message(payload, {});
  EXPECT_TRUE(decoded) << decoded.error();
  return decoded ? *decoded : DecodedMessage{};
}

TEST(DecodeReuse, EachMessageReplacesThePreviousOne) {
  const std::vector<std::string> payloads = {
      json_payload("[" + event_json("task-sent", R"(, "name": "a.b")") + ", 42, " + event_json("task-started") + "]"),
      json_payload(event_json("worker-heartbeat", R"(, "freq": 2.0)")),
      kombu_payload([] {
        auto spec = envelope_of("[" + event_json("task-succeeded", R"(, "runtime": 0.5)") + "]");
        spec.compression = "application/x-gzip";
        spec.body = zlib_compress(spec.body);
        return spec;
      }()),
      json_payload("[]"),
      [] {
        auto spec = envelope_of("{}");
        spec.exchange = "celery.pidbox";
        return kombu_payload(spec);
      }(),
      json_payload(event_json("task-failed", R"(, "exception": 7)")),  // a soft field issue
  };
  DecodedMessage reused;
  DecodeBuffers buffers;
  for (const auto& payload : payloads) {
    ASSERT_FALSE(decode_message_into(payload, {}, reused, buffers));
    EXPECT_EQ(reused, fresh(payload)) << payload;
  }
}

TEST(DecodeReuse, AnErrorIsReportedAndTheNextMessageDecodes) {
  DecodedMessage reused;
  DecodeBuffers buffers;
  ASSERT_FALSE(decode_message_into(json_payload(event_json("task-sent")), {}, reused, buffers));
  const auto error = decode_message_into("not json", {}, reused, buffers);
  ASSERT_TRUE(error);
  EXPECT_EQ(*error, decode_message("not json", {}).error());
  const std::string next = json_payload(event_json("task-received"));
  ASSERT_FALSE(decode_message_into(next, {}, reused, buffers));
  EXPECT_EQ(reused, fresh(next));
}

TEST(DecodeReuse, AHugeBodyDoesNotKeepItsBuffer) {
  const std::string big_name(3 << 20, 'n');
  const std::string payload = json_payload(event_json("task-sent", R"(, "name": ")" + big_name + "\""));
  DecodedMessage reused;
  DecodeBuffers buffers;
  ASSERT_FALSE(decode_message_into(payload, {}, reused, buffers));
  EXPECT_LE(buffers.body[0].capacity(), DecodeBuffers::kKeptBytes);
  ASSERT_FALSE(decode_message_into(json_payload(event_json("task-started")), {}, reused, buffers));
  EXPECT_GT(buffers.body[0].capacity(), 0u);  // a normal body's buffer stays for the next one
}

// A 16 MiB body of zeros (21 KB on the wire) is one error, and neither the
// inflated body nor a per-element error stays behind.
TEST(DecodeReuse, AnExpansionBombIsOneErrorAndKeepsNoBuffer) {
  auto spec = envelope_of("");
  spec.compression = "application/x-gzip";
  std::string zeros = "[0";
  for (std::size_t i = 0; i < (std::size_t{8} << 20) - 2; ++i) zeros += ",0";
  spec.body = zlib_compress(zeros + "]");
  DecodedMessage reused;
  DecodeBuffers buffers;
  const auto error = decode_message_into(kombu_payload(spec), {}, reused, buffers);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->reason, DecodeErrorReason::too_large);
  EXPECT_EQ(error->excerpt, "body has more than 1024 elements");
  EXPECT_LE(reused.element_errors.size(), DecodedMessage::kKeptErrors);
  for (const auto& buffer : buffers.body) EXPECT_LE(buffer.capacity(), DecodeBuffers::kKeptBytes);
}

}  // namespace
}  // namespace sluice::decode
