#include "decode/utf8.hpp"

#include <gtest/gtest.h>

namespace sluice::decode {
namespace {

TEST(Utf8, AcceptsValidText) {
  for (const char* text : {"", "plain ascii long enough for the word loop", "\xc3\xa9", "\xe2\x82\xac",
                           "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf", "a\xed\x9f\xbf"}) {
    EXPECT_TRUE(is_valid_utf8(text)) << text;
    EXPECT_EQ(to_valid_utf8(text), text);
  }
}

TEST(Utf8, RefusesInvalidSequences) {
  for (const char* text : {"\xff", "\x80", "\xc3", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
                           "\xf5\x80\x80\x80", "\xe2\x82", "abcdefgh\xc3(", "\xf0\x9f\x98"}) {
    EXPECT_FALSE(is_valid_utf8(text)) << text;
  }
}

TEST(Utf8, ReplacesEachInvalidByte) {
  EXPECT_EQ(to_valid_utf8("a\xff" "b\xc3"), "a\xef\xbf\xbd" "b\xef\xbf\xbd");
  EXPECT_EQ(to_valid_utf8("\xe2\x82" "x"), "\xef\xbf\xbd\xef\xbf\xbd" "x");
  EXPECT_TRUE(is_valid_utf8(to_valid_utf8("\xed\xa0\x80\xf0\x9f\x98\x80\x80")));
}

}  // namespace
}  // namespace sluice::decode
