// The result backend entry reader: status, date_done and the exception of
// a failure are read; a return value is never read; pickle and anything
// that is not a JSON entry are refused with a reason.

#include "decode/result_meta.hpp"

#include <gtest/gtest.h>

#include "common/iso_time.hpp"

namespace sluice::decode {
namespace {

constexpr std::size_t kMax = 10'000;

// As Celery 5.2's Redis backend stores them (json serializer).
const std::string kSuccess =
    R"({"status": "SUCCESS", "result": {"exc_type": "NotAnError", "exc_message": ["SECRET_RESULT_7f3"]},)"
    R"( "traceback": null, "children": [], "date_done": "2026-12-03T09:20:01.123456", "task_id": "t1"})";
const std::string kFailure =
    R"({"status": "FAILURE", "result": {"exc_type": "ValueError", "exc_message": ["boom", 3],)"
    R"( "exc_module": "builtins"}, "traceback": "Traceback ...", "children": [],)"
    R"( "date_done": "2026-12-03T09:20:02.5+00:00", "task_id": "t2"})";

TEST(ResultMeta, SuccessReadsStatusAndDateButNeverTheResult) {
  auto meta = parse_result_meta(kSuccess, kMax);
  ASSERT_TRUE(meta);
  EXPECT_EQ(meta->status, "SUCCESS");
  EXPECT_EQ(meta->done_ms, parse_iso8601("2026-12-03T09:20:01.123Z"));
  EXPECT_EQ(meta->exc_type, std::nullopt);  // a returned dict shaped like an exception stays unread
  EXPECT_EQ(meta->exc_message, std::nullopt);
}

TEST(ResultMeta, FailureReadsTheExceptionTypeAndArguments) {
  auto meta = parse_result_meta(kFailure, kMax);
  ASSERT_TRUE(meta);
  EXPECT_EQ(meta->status, "FAILURE");
  EXPECT_EQ(meta->done_ms, parse_iso8601("2026-12-03T09:20:02.500Z"));
  EXPECT_EQ(exception_repr(*meta), "ValueError('boom', 3)");
}

TEST(ResultMeta, ResultBeforeStatusKeepsTheExceptionOnlyForFailures) {
  auto success = parse_result_meta(R"({"result": {"exc_type": "X", "exc_message": "leak"}, "status": "SUCCESS"})", kMax);
  ASSERT_TRUE(success);
  EXPECT_EQ(success->exc_type, std::nullopt);
  EXPECT_EQ(success->exc_message, std::nullopt);
  auto failure = parse_result_meta(R"({"result": {"exc_type": "KeyError", "exc_message": "k"}, "status": "FAILURE"})", kMax);
  ASSERT_TRUE(failure);
  EXPECT_EQ(exception_repr(*failure), "KeyError('k')");
}

TEST(ResultMeta, LongExceptionTextIsCut) {
  const std::string entry = R"({"status": "FAILURE", "result": {"exc_type": "E", "exc_message": [")" +
                            std::string(50'000, 'x') + R"("]}})";
  auto meta = parse_result_meta(entry, 100);
  ASSERT_TRUE(meta);
  EXPECT_EQ(meta->exc_message->size(), 100u);
}

TEST(ResultMeta, PickleIsRefusedUnread) {
  const std::string pickled = std::string("\x80\x04\x95", 3) + "status SUCCESS";
  auto meta = parse_result_meta(pickled, kMax);
  ASSERT_FALSE(meta);
  EXPECT_EQ(meta.error(), ResultMetaError::pickle);
}

TEST(ResultMeta, AnythingElseIsMalformed) {
  for (const std::string entry : {"", "null", "[]", "{\"status\": 3}", "{\"result\": 1}", "{\"status\": \"SUCCESS\"",
                                  "status: SUCCESS\n", "{\"status\": \"SUCCESS\"} trailing"}) {
    auto meta = parse_result_meta(entry, kMax);
    ASSERT_FALSE(meta) << entry;
    EXPECT_EQ(meta.error(), ResultMetaError::malformed) << entry;
  }
}

}  // namespace
}  // namespace sluice::decode
