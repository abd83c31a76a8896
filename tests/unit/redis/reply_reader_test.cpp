#include "redis/reply_reader.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace sluice::redis {
namespace {

RedisReply parse_one(std::string_view resp) {
  ReplyReader reader;
  reader.feed(resp);
  auto next = reader.next();
  EXPECT_TRUE(next.has_value());
  EXPECT_TRUE(next->has_value());
  return std::move(**next);
}

TEST(ReplyReader, ConvertsEveryRespTwoType) {
  EXPECT_EQ(parse_one("+OK\r\n"), RedisReply::status("OK"));
  EXPECT_EQ(parse_one("-ERR unknown command\r\n"), RedisReply::error("ERR unknown command"));
  EXPECT_EQ(parse_one(":-42\r\n"), RedisReply::integer(-42));
  EXPECT_EQ(parse_one("$5\r\nhello\r\n"), RedisReply::bulk("hello"));
  EXPECT_EQ(parse_one("$0\r\n\r\n"), RedisReply::bulk(""));
  EXPECT_EQ(parse_one("$-1\r\n"), RedisReply::nil());
  EXPECT_EQ(parse_one("*-1\r\n"), RedisReply::nil());
  EXPECT_EQ(parse_one("*0\r\n"), RedisReply::array({}));
}

TEST(ReplyReader, KeepsBinaryBulkStringsByteExact) {
  const std::string bytes("a\0b\r\n\xff", 6);
  EXPECT_EQ(parse_one("$6\r\n" + bytes + "\r\n"), RedisReply::bulk(bytes));
}

TEST(ReplyReader, ConvertsNestedArrays) {
  const auto reply = parse_one("*3\r\n$8\r\npmessage\r\n*2\r\n:1\r\n$-1\r\n+x\r\n");
  EXPECT_EQ(reply, RedisReply::array({RedisReply::bulk("pmessage"),
                                      RedisReply::array({RedisReply::integer(1), RedisReply::nil()}),
                                      RedisReply::status("x")}));
}

TEST(ReplyReader, WaitsForPartialRepliesByteByByte) {
  const std::string resp = "*4\r\n$8\r\npmessage\r\n$1\r\n*\r\n$3\r\nchn\r\n$7\r\npayload\r\n";
  ReplyReader reader;
  for (size_t i = 0; i + 1 < resp.size(); ++i) {
    reader.feed(resp.substr(i, 1));
    auto next = reader.next();
    ASSERT_TRUE(next.has_value());
    ASSERT_FALSE(next->has_value()) << "complete after " << i + 1 << " bytes";
  }
  reader.feed(resp.substr(resp.size() - 1));
  auto next = reader.next();
  ASSERT_TRUE(next.has_value() && next->has_value());
  EXPECT_EQ((**next).as_array()->size(), 4u);
  EXPECT_FALSE(reader.next()->has_value());
}

TEST(ReplyReader, ReturnsSeveralRepliesFromOneFeed) {
  ReplyReader reader;
  reader.feed(":1\r\n:2\r\n:3");
  EXPECT_EQ(**reader.next(), RedisReply::integer(1));
  EXPECT_EQ(**reader.next(), RedisReply::integer(2));
  EXPECT_FALSE(reader.next()->has_value());
  reader.feed("\r\n");
  EXPECT_EQ(**reader.next(), RedisReply::integer(3));
}

// A pub/sub burst arrives as one big read: replies much larger and much
// smaller than a slice, split anywhere, all come out whole and in order.
TEST(ReplyReader, ReturnsABurstOfRepliesAcrossSlicesInOrder) {
  std::string burst;
  std::vector<std::string> payloads;
  for (int i = 0; i < 200; ++i) {
    payloads.push_back(std::string(static_cast<std::size_t>(i % 7 == 0 ? 5000 : 10 + i * 13), static_cast<char>('a' + i % 26)));
    burst += "$" + std::to_string(payloads.back().size()) + "\r\n" + payloads.back() + "\r\n";
  }
  ReplyReader reader;
  std::size_t taken = 0;
  for (std::size_t at = 0; at < burst.size(); at += 16 * 1024) {
    reader.feed(std::string_view(burst).substr(at, 16 * 1024));
    for (auto next = reader.next(); next && *next; next = reader.next()) {
      ASSERT_LT(taken, payloads.size());
      ASSERT_EQ(**next, RedisReply::bulk(payloads[taken])) << "reply " << taken;
      ++taken;
    }
  }
  EXPECT_EQ(taken, payloads.size());
  EXPECT_EQ(reader.unsliced(), 0u);
}

// Reads land in space the reader prepares; a read may fill less than asked,
// and bytes hiredis has not taken yet survive the space being moved or grown.
TEST(ReplyReader, PreparedSpaceKeepsUntakenBytesAcrossMovesAndGrowth) {
  std::string burst;
  std::vector<std::string> payloads;
  for (int i = 0; i < 300; ++i) {
    payloads.push_back(std::string(static_cast<std::size_t>(40 + i % 90), static_cast<char>('A' + i % 26)));
    burst += "$" + std::to_string(payloads.back().size()) + "\r\n" + payloads.back() + "\r\n";
  }
  ReplyReader reader;
  std::size_t taken = 0;
  auto take = [&](std::size_t most) {
    for (std::size_t n = 0; n < most; ++n) {
      auto next = reader.next();
      ASSERT_TRUE(next.has_value());
      if (!*next) return;
      ASSERT_LT(taken, payloads.size());
      ASSERT_EQ(**next, RedisReply::bulk(payloads[taken])) << "reply " << taken;
      ++taken;
    }
  };
  // Fill sizes vary so that some prepares find room after moving the
  // untaken tail to the front, others must grow.
  const std::size_t sizes[] = {4000, 3000, 700, 3, 9000, 1, 64 * 1024, 2000};
  std::size_t at = 0;
  for (std::size_t round = 0; at < burst.size(); ++round) {
    const std::size_t asked = sizes[round % std::size(sizes)];
    const auto space = reader.prepare(asked);
    ASSERT_EQ(space.size(), asked);
    const std::size_t filled = std::min({asked, burst.size() - at, asked / 2 + 1});  // a short read
    std::copy_n(burst.data() + at, filled, space.begin());
    reader.commit(filled);
    at += filled;
    take(round % 3 == 0 ? 1 : 12);  // sometimes a long untaken tail, sometimes a short one
  }
  take(payloads.size());
  EXPECT_EQ(taken, payloads.size());
  EXPECT_EQ(reader.unsliced(), 0u);
}

TEST(ReplyReader, ReportsProtocolErrors) {
  ReplyReader reader;
  reader.feed("?what\r\n");
  auto next = reader.next();
  ASSERT_FALSE(next.has_value());
  EXPECT_EQ(next.error().kind, RedisError::Kind::protocol);
  EXPECT_NE(next.error().message.find("invalid reply"), std::string::npos);
}

// Hostile headers (a fake Redis, or anyone on a plain redis:// link): the
// reply is refused as soon as its header arrives, before hiredis allocates
// the array or buffers the string.
ReplyLimits small_limits() { return {4096, 100}; }

RedisError refusal(ReplyReader& reader) {
  auto next = reader.next();
  EXPECT_FALSE(next.has_value()) << "accepted";
  return next ? RedisError{} : next.error();
}

TEST(ReplyReader, RefusesAHugeArrayHeaderBeforeAllocatingIt) {
  ReplyReader reader;  // the default limits
  reader.feed("*100000000\r\n");
  const auto error = refusal(reader);
  EXPECT_EQ(error.kind, RedisError::Kind::too_large);
  EXPECT_NE(error.message.find("100000000 array elements"), std::string::npos) << error.message;
}

TEST(ReplyReader, RefusesAHugeBulkHeaderBeforeBufferingIt) {
  ReplyReader reader;
  reader.feed("$999999999\r\n");
  reader.feed(std::string(64 * 1024, 'x'));
  const auto error = refusal(reader);
  EXPECT_EQ(error.kind, RedisError::Kind::too_large);
  EXPECT_NE(error.message.find("999999999-byte string"), std::string::npos) << error.message;
}

TEST(ReplyReader, CountsNestedElementsAndBytesOfTheWholeReply) {
  {
    ReplyReader reader(small_limits());
    reader.feed("*2\r\n*60\r\n");
    EXPECT_TRUE(reader.next().has_value());  // 62 declared: fine so far
    reader.feed("*50\r\n");
    EXPECT_EQ(refusal(reader).kind, RedisError::Kind::too_large);
  }
  {
    ReplyReader reader(small_limits());
    reader.feed("*3\r\n$3000\r\n" + std::string(3000, 'a') + "\r\n$3000\r\n");
    EXPECT_EQ(refusal(reader).kind, RedisError::Kind::too_large);
  }
}

TEST(ReplyReader, RefusesAStatusLineThatNeverEnds) {
  ReplyReader reader(small_limits());
  reader.feed("+" + std::string(3000, 'o'));
  EXPECT_TRUE(reader.next().has_value());
  reader.feed(std::string(3000, 'o'));
  EXPECT_EQ(refusal(reader).kind, RedisError::Kind::too_large);
}

TEST(ReplyReader, RefusesHeadersThatAreNoLength) {
  for (const std::string bad : {"$12x\r\n", "*-2\r\n", "$\r\n", "*99999999999999999999999\r\n", "?\r\n"}) {
    ReplyReader reader;
    reader.feed(bad);
    EXPECT_EQ(refusal(reader).kind, RedisError::Kind::protocol) << bad;
  }
}

TEST(ReplyReader, RepliesAtTheLimitPassAndTheOnesBeforeARefusalComeOut) {
  ReplyReader reader(small_limits());
  const std::string exact = "$4087\r\n" + std::string(4087, 'e') + "\r\n";  // 4096 bytes
  ASSERT_EQ(exact.size(), 4096u);
  reader.feed(exact + ":7\r\n*101\r\n");
  EXPECT_EQ(**reader.next(), RedisReply::bulk(std::string(4087, 'e')));
  EXPECT_EQ(**reader.next(), RedisReply::integer(7));
  EXPECT_EQ(refusal(reader).kind, RedisError::Kind::too_large);
  EXPECT_EQ(refusal(reader).kind, RedisError::Kind::too_large);  // and stays refused
}

TEST(ReplyReader, KnowsWhetherAReplyIsInProgress) {
  ReplyReader reader;
  EXPECT_FALSE(reader.reply_in_progress());
  reader.feed("*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$5\r\nhel");
  EXPECT_FALSE(reader.next()->has_value());
  EXPECT_TRUE(reader.reply_in_progress());
  EXPECT_EQ(reader.replies_fed(), 0u);
  reader.feed("lo\r\n");
  EXPECT_FALSE(reader.reply_in_progress());
  EXPECT_EQ(reader.replies_fed(), 1u);
  EXPECT_TRUE(reader.next()->has_value());
}

TEST(RedisReply, AccessorsAndPrinting) {
  EXPECT_EQ(*RedisReply::bulk("b").text(), "b");
  EXPECT_EQ(*RedisReply::status("OK").text(), "OK");
  EXPECT_EQ(*RedisReply::error("ERR x").text(), "ERR x");
  EXPECT_EQ(RedisReply::integer(3).text(), nullptr);
  EXPECT_EQ(RedisReply::integer(3).as_integer(), 3);
  EXPECT_FALSE(RedisReply::bulk("3").as_integer());
  EXPECT_TRUE(RedisReply::error("E").is_error());
  std::ostringstream out;
  out << RedisReply::array({RedisReply::bulk("a"), RedisReply::integer(1), RedisReply::nil()});
  EXPECT_EQ(out.str(), R"(["a", :1, (nil)])");
}

}  // namespace
}  // namespace sluice::redis
