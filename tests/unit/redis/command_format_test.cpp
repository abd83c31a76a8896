#include "redis/command_format.hpp"

#include <gtest/gtest.h>

#include "redis/reply_reader.hpp"

namespace sluice::redis {
namespace {

TEST(CommandFormat, WritesRespArrayOfBulkStrings) {
  EXPECT_EQ(format_command({"PING"}), "*1\r\n$4\r\nPING\r\n");
  EXPECT_EQ(format_command({"PUBLISH", "/0.celery.pidbox", "{}"}),
            "*3\r\n$7\r\nPUBLISH\r\n$16\r\n/0.celery.pidbox\r\n$2\r\n{}\r\n");
}

TEST(CommandFormat, IsBinarySafe) {
  const std::string payload("\0\r\n*$", 5);
  EXPECT_EQ(format_command({"SET", "", payload}), "*3\r\n$3\r\nSET\r\n$0\r\n\r\n$5\r\n" + payload + "\r\n");
}

TEST(CommandFormat, PipelineIsTheCommandsBackToBack) {
  EXPECT_EQ(format_commands({{"LLEN", "a"}, {"LLEN", "b"}}), format_command({"LLEN", "a"}) + format_command({"LLEN", "b"}));
  EXPECT_EQ(format_commands({}), "");
}

TEST(CommandFormat, RoundTripsThroughTheReader) {
  // A command is itself a RESP array of bulk strings: the reader reads it back.
  ReplyReader reader;
  reader.feed(format_command({"PSUBSCRIBE", "/0.celeryev/*", "/0.celeryev"}));
  EXPECT_EQ(**reader.next(), RedisReply::array({RedisReply::bulk("PSUBSCRIBE"), RedisReply::bulk("/0.celeryev/*"),
                                                RedisReply::bulk("/0.celeryev")}));
}

}  // namespace
}  // namespace sluice::redis
