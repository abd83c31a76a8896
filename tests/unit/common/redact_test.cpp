#include "common/redact.hpp"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(Redactor, MasksRegisteredValuesAlsoPercentEncoded) {
  const Redactor redact({"sk_live_abc123", "pa/ss word"});
  EXPECT_EQ(redact("key sk_live_abc123 and pa/ss word"), "key **** and ****");
  EXPECT_EQ(redact("url redis://:pa%2Fss%20word@h and pa%2fss%20word"), "url redis://:****@h and ****");
}

TEST(Redactor, MasksTheLongerOfTwoOverlappingSecretsWhole) {
  const Redactor redact({"abcd", "abcdefgh"});
  EXPECT_EQ(redact("abcdefgh"), "****");
}

TEST(Redactor, IgnoresVeryShortValues) {
  const Redactor redact({"ab"});
  EXPECT_EQ(redact("about"), "about");
}

TEST(Redactor, MasksBearerAndBasicCredentialsOfAnyKey) {
  const Redactor redact;
  EXPECT_EQ(redact("HTTP 400: header 'Bearer sk_live_other_9' refused"), "HTTP 400: header 'Bearer ****' refused");
  EXPECT_EQ(redact(R"({"authorization":"bearer abc.def-1"})"), R"({"authorization":"bearer ****"})");
  EXPECT_EQ(redact("Proxy-Authorization: Basic dXNlcjpwYXNzd29yZA=="), "Proxy-Authorization: Basic ****");
}

TEST(Redactor, LeavesProseAfterBearerAlone) {
  const Redactor redact;
  EXPECT_EQ(redact("Bearer token missing"), "Bearer token missing");
  EXPECT_EQ(redact("expected a Bearer token."), "expected a Bearer token.");
  EXPECT_EQ(redact("basic auth"), "basic auth");
}

TEST(Redactor, MasksUrlPasswordsRawSlashesIncluded) {
  const Redactor redact;
  EXPECT_EQ(redact("cannot reach redis://app:pa/ss@h:6379/0 now"), "cannot reach redis://app:****@h:6379/0 now");
  EXPECT_EQ(redact("at https://secret@h/api"), "at https://****@h/api");
  EXPECT_EQ(redact("see https://h/api and redis://h:1/0"), "see https://h/api and redis://h:1/0");
}

TEST(Redactor, MasksPasswordParameters) {
  const Redactor redact;
  EXPECT_EQ(redact("unix:///s?db=1&password=hunter2&x=1"), "unix:///s?db=1&password=****&x=1");
  EXPECT_EQ(redact("PASSWORD=hunter2 rest"), "PASSWORD=**** rest");
}

TEST(Redactor, IsIdempotent) {
  const Redactor redact({"sk_live_abc123"});
  const std::string once = redact("Bearer sk_live_abc123 redis://u:p@h password=x");
  EXPECT_EQ(redact(once), once);
}

}  // namespace
}  // namespace sluice
