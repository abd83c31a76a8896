#include "redis/handshake.hpp"

#include <gtest/gtest.h>

namespace sluice::redis {
namespace {

config::RedisUrl url_with(std::string user, std::string password, int db) {
  config::RedisUrl url;
  url.host = "127.0.0.1";
  url.username = std::move(user);
  url.password = std::move(password);
  url.db = db;
  return url;
}

// Checks replies for the commands handshake_commands() builds for `url`.
std::optional<RedisError> check(const config::RedisUrl& url, const std::string& name,
                                const std::vector<RedisReply>& replies) {
  return check_handshake(url, handshake_commands(url, name), replies);
}

TEST(Handshake, NothingToSendForTheDefaults) { EXPECT_TRUE(handshake_commands(url_with("", "", 0), "").empty()); }

TEST(Handshake, PasswordOnlyAuthSelectAndName) {
  EXPECT_EQ(handshake_commands(url_with("", "s3cret", 3), "sluiced-events"),
            (std::vector<CommandArgs>{{"AUTH", "s3cret"}, {"SELECT", "3"}, {"CLIENT", "SETNAME", "sluiced-events"}}));
}

TEST(Handshake, AclUserAuth) {
  EXPECT_EQ(handshake_commands(url_with("alice", "pw", 0), ""), (std::vector<CommandArgs>{{"AUTH", "alice", "pw"}}));
}

TEST(Handshake, AcceptsOkReplies) {
  EXPECT_FALSE(check(url_with("", "pw", 2), "", {RedisReply::status("OK"), RedisReply::status("OK")}));
}

TEST(Handshake, ARefusedClientNameDoesNotMatter) {
  EXPECT_FALSE(check(url_with("u", "pw", 0), "n", {RedisReply::status("OK"), RedisReply::error("NOPERM client")}));
}

TEST(Handshake, AuthFailureNeverShowsThePassword) {
  const auto url = url_with("", "hunter2", 0);
  // A (hypothetical) server that echoes the password back.
  auto error = check(url, "", {RedisReply::error("WRONGPASS hunter2 is wrong")});
  ASSERT_TRUE(error);
  EXPECT_EQ(error->kind, RedisError::Kind::auth);
  EXPECT_EQ(error->message, "AUTH failed: wrong user name or password (WRONGPASS **** is wrong)");
}

TEST(Handshake, SelectFailureNamesTheDatabase) {
  auto error = check(url_with("", "", 99), "", {RedisReply::error("ERR DB index is out of range")});
  ASSERT_TRUE(error);
  EXPECT_EQ(error->message, "SELECT 99 failed: ERR DB index is out of range");
  EXPECT_EQ(error->kind, RedisError::Kind::auth);
}

// A server that is up but cannot serve yet is not an authentication problem.
TEST(Handshake, LoadingDuringAuthIsNamedForWhatItIs) {
  auto error = check(url_with("", "pw", 0), "", {RedisReply::error("LOADING Redis is loading the dataset in memory")});
  ASSERT_TRUE(error);
  EXPECT_EQ(error->kind, RedisError::Kind::busy);
  EXPECT_EQ(error->message.find("authentication"), std::string::npos) << error->message;
  EXPECT_EQ(error->message, "AUTH failed: Redis is loading its dataset into memory (LOADING Redis is loading the dataset in memory)");
}

TEST(Handshake, EachErrorCodeIsNamed) {
  struct Case {
    const char* reply;
    RedisError::Kind kind;
    const char* says;
  };
  const Case cases[] = {
      {"WRONGPASS invalid username-password pair or user is disabled.", RedisError::Kind::auth, "wrong user name or password"},
      {"NOAUTH Authentication required.", RedisError::Kind::auth, "requires a password"},
      {"ERR invalid password", RedisError::Kind::auth, "password refused"},
      {"NOPERM this user has no permissions to run the 'select' command", RedisError::Kind::auth, "ACL"},
      {"BUSY Redis is busy running a script.", RedisError::Kind::busy, "busy running a script"},
      {"MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.", RedisError::Kind::busy,
       "lost its master"},
      {"TRYAGAIN Multiple keys request during rehashing of slot", RedisError::Kind::busy, "try again"},
      {"READONLY You can't write against a read only replica.", RedisError::Kind::auth, "read-only replica"},
  };
  for (const auto& c : cases) {
    auto error = check(url_with("", "pw", 0), "", {RedisReply::error(c.reply)});
    ASSERT_TRUE(error) << c.reply;
    EXPECT_EQ(error->kind, c.kind) << c.reply;
    EXPECT_NE(error->message.find(c.says), std::string::npos) << error->message;
    EXPECT_NE(error->message.find(c.reply), std::string::npos) << error->message;  // Redis' own words too
  }
}

TEST(Handshake, LoadingDuringSelectIsNamedToo) {
  auto error = check(url_with("", "", 4), "", {RedisReply::error("LOADING Redis is loading the dataset in memory")});
  ASSERT_TRUE(error);
  EXPECT_EQ(error->kind, RedisError::Kind::busy);
  EXPECT_EQ(error->message.rfind("SELECT 4 failed: Redis is loading", 0), 0u) << error->message;
}

TEST(RedactSecret, ReplacesEveryOccurrence) {
  EXPECT_EQ(redact_secret("a pw b pwpw", "pw"), "a **** b ********");
  EXPECT_EQ(redact_secret("nothing", ""), "nothing");
}

}  // namespace
}  // namespace sluice::redis
