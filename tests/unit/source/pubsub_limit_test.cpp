// Parsing and judging Redis' client-output-buffer-limit (pubsub class).
#include "source/pubsub_limit.hpp"

#include <gtest/gtest.h>

namespace sluice::source {
namespace {

using redis::RedisReply;

RedisReply config_reply(const std::string& value) {
  return RedisReply::array({RedisReply::bulk("client-output-buffer-limit"), RedisReply::bulk(value)});
}

TEST(PubsubLimit, ParsesTheReplyOfRedis7) {
  const auto limit = parse_pubsub_limit(config_reply("normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"));
  ASSERT_TRUE(limit) << limit.error();
  EXPECT_EQ(*limit, kDefaultPubsubLimit);
}

TEST(PubsubLimit, TakesUnitsAndAnyClassOrder) {
  const auto limit = parse_pubsub_limit(config_reply("pubsub 1mb 256kb 30 normal 0 0 0"));
  ASSERT_TRUE(limit) << limit.error();
  EXPECT_EQ(*limit, (PubsubLimit{1 << 20, 256 << 10, 30}));
  EXPECT_EQ(*parse_pubsub_limit(config_reply("PUBSUB 2M 1k 5")), (PubsubLimit{2'000'000, 1000, 5}));
}

TEST(PubsubLimit, RefusalsAndOddRepliesAreErrors) {
  const auto refusal = parse_pubsub_limit(RedisReply::error("NOPERM this user has no permissions to run the 'config|get' command"));
  ASSERT_FALSE(refusal);
  EXPECT_NE(refusal.error().find("NOPERM"), std::string::npos);
  EXPECT_FALSE(parse_pubsub_limit(RedisReply::array({})));
  EXPECT_FALSE(parse_pubsub_limit(RedisReply::nil()));
  EXPECT_FALSE(parse_pubsub_limit(config_reply("normal 0 0 0 replica 1 2 3")));
  EXPECT_FALSE(parse_pubsub_limit(config_reply("pubsub lots 8mb 60")));
  EXPECT_FALSE(parse_pubsub_limit(config_reply("pubsub 32mb 8mb")));
}

TEST(PubsubLimit, OnlyLimitsBelowTheDefaultWarn) {
  EXPECT_FALSE(judge_pubsub_limit(kDefaultPubsubLimit));
  EXPECT_FALSE(judge_pubsub_limit({0, 0, 0}));               // no limit at all
  EXPECT_FALSE(judge_pubsub_limit({64ULL << 20, 16ULL << 20, 60}));
  EXPECT_FALSE(judge_pubsub_limit({0, 8ULL << 20, 10}));     // no hard limit, default soft
  const auto low_hard = judge_pubsub_limit({1 << 20, 0, 0});
  ASSERT_TRUE(low_hard);
  EXPECT_EQ(low_hard->id, kPubsubBufferLimitLow);
  EXPECT_NE(low_hard->message.find("\"1048576 0 0\""), std::string::npos) << low_hard->message;
  EXPECT_NE(low_hard->message.find("CONFIG SET client-output-buffer-limit"), std::string::npos);
  EXPECT_TRUE(judge_pubsub_limit({32ULL << 20, 1 << 20, 60}));  // soft only
}

}  // namespace
}  // namespace sluice::source
