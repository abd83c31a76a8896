#include "redis/pubsub_push.hpp"

#include <gtest/gtest.h>

namespace sluice::redis {
namespace {

using Kind = PubSubPush::Kind;

RedisReply bulks(std::vector<std::string> items) {
  RedisReply::Array out;
  for (auto& i : items) out.push_back(RedisReply::bulk(std::move(i)));
  return RedisReply::array(std::move(out));
}

TEST(PubSubPush, PatternMessage) {
  EXPECT_EQ(parse_push(bulks({"pmessage", "/0.celeryev/*", "/0.celeryev/worker.heartbeat", "{}"})),
            (PubSubPush{Kind::message, "/0.celeryev/*", "/0.celeryev/worker.heartbeat", "{}", 0}));
}

TEST(PubSubPush, ChannelMessage) {
  EXPECT_EQ(parse_push(bulks({"message", "chan", "data"})), (PubSubPush{Kind::message, "", "chan", "data", 0}));
}

TEST(PubSubPush, Confirmations) {
  EXPECT_EQ(parse_push(RedisReply::array({RedisReply::bulk("psubscribe"), RedisReply::bulk("p*"), RedisReply::integer(2)})),
            (PubSubPush{Kind::subscribed, "p*", "", "", 2}));
  EXPECT_EQ(parse_push(RedisReply::array({RedisReply::bulk("subscribe"), RedisReply::bulk("c"), RedisReply::integer(1)})),
            (PubSubPush{Kind::subscribed, "", "c", "", 1}));
  EXPECT_EQ(parse_push(RedisReply::array({RedisReply::bulk("punsubscribe"), RedisReply::nil(), RedisReply::integer(0)})),
            (PubSubPush{Kind::unsubscribed, "", "", "", 0}));
}

TEST(PubSubPush, Pong) { EXPECT_EQ(parse_push(bulks({"pong", ""})).kind, Kind::pong); }

TEST(PubSubPush, AnythingElseIsOther) {
  EXPECT_EQ(parse_push(RedisReply::error("ERR")).kind, Kind::other);
  EXPECT_EQ(parse_push(RedisReply::array({})).kind, Kind::other);
  EXPECT_EQ(parse_push(bulks({"pmessage", "only-two"})).kind, Kind::other);
  EXPECT_EQ(parse_push(RedisReply::array({RedisReply::bulk("message"), RedisReply::integer(1), RedisReply::bulk("x")})).kind,
            Kind::other);
  EXPECT_EQ(parse_push(bulks({"unknown", "a", "b"})).kind, Kind::other);
}

}  // namespace
}  // namespace sluice::redis
