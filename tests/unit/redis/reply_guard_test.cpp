#include "redis/reply_guard.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sluice::redis {
namespace {

const std::string kMessage =
    "*4\r\n$8\r\npmessage\r\n$12\r\n/0.celeryev*\r\n$21\r\n/0.celeryev/task.sent\r\n$5\r\nhello\r\n";
const std::string kOthers = "+OK\r\n:42\r\n$-1\r\n*0\r\n-ERR no\r\n*2\r\n*1\r\n:1\r\n$0\r\n\r\n";

// Feeds `bytes` in pieces of `step` bytes (0: all at once).
std::optional<RedisError> feed(ReplyGuard& guard, const std::string& bytes, std::size_t step = 0) {
  if (step == 0) return guard.scan(bytes);
  for (std::size_t at = 0; at < bytes.size(); at += step) {
    if (auto refused = guard.scan(std::string_view(bytes).substr(at, step))) return refused;
  }
  return std::nullopt;
}

TEST(ReplyGuard, CountsRepliesHoweverTheBytesAreSplit) {
  for (std::size_t step : {0, 1, 2, 3, 5, 7}) {
    ReplyGuard guard(ReplyLimits{});
    EXPECT_FALSE(feed(guard, kMessage + kOthers + kMessage, step)) << step;
    EXPECT_EQ(guard.replies(), 8u) << step;  // 2 messages, 6 others (the nested array is one)
    EXPECT_FALSE(guard.in_reply()) << step;
  }
}

TEST(ReplyGuard, KnowsAReplyIsInProgress) {
  ReplyGuard guard(ReplyLimits{});
  EXPECT_FALSE(guard.scan(kMessage.substr(0, 20)));
  EXPECT_TRUE(guard.in_reply());
  EXPECT_FALSE(guard.scan(kMessage.substr(20)));
  EXPECT_FALSE(guard.in_reply());
}

TEST(ReplyGuard, ALoneNewlineDoesNotEndALine) {
  ReplyGuard guard(ReplyLimits{});
  EXPECT_FALSE(guard.scan("+a\nb\r"));
  EXPECT_EQ(guard.replies(), 0u);
  EXPECT_FALSE(guard.scan("\n"));
  EXPECT_EQ(guard.replies(), 1u);
}

TEST(ReplyGuard, RefusesADeclaredBulkOverTheLimitBeforeItArrives) {
  ReplyGuard guard(ReplyLimits{1000, 100});
  const auto refused = feed(guard, "+OK\r\n$999999999\r\n", 1);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->kind, RedisError::Kind::too_large);
  EXPECT_EQ(guard.refused_from(), 5u);
}

TEST(ReplyGuard, RefusesTooManyArrayElements) {
  ReplyGuard guard(ReplyLimits{1 << 20, 100});
  const auto refused = guard.scan("*100000000\r\n");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->kind, RedisError::Kind::too_large);
}

TEST(ReplyGuard, RefusesAHeaderLongerThanAnyLength) {
  for (std::size_t step : {0, 1, 4}) {
    ReplyGuard guard(ReplyLimits{});
    const auto refused = feed(guard, "$" + std::string(30, '1') + "\r\n", step);
    ASSERT_TRUE(refused) << step;
    EXPECT_EQ(refused->kind, RedisError::Kind::protocol);
  }
}

TEST(ReplyGuard, RefusesWhatIsNotResp2) {
  ReplyGuard guard(ReplyLimits{});
  EXPECT_TRUE(guard.scan("HTTP/1.1 400\r\n"));
  ReplyGuard bad_length(ReplyLimits{});
  EXPECT_TRUE(bad_length.scan("$12x\r\n"));
}

TEST(ReplyGuard, AStatusLineThatNeverEndsIsBounded) {
  ReplyGuard guard(ReplyLimits{100, 10});
  EXPECT_FALSE(guard.scan("+" + std::string(50, 'a')));
  const auto refused = guard.scan(std::string(60, 'a'));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->kind, RedisError::Kind::too_large);
}

}  // namespace
}  // namespace sluice::redis
