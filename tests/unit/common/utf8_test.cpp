#include "common/utf8.hpp"

#include <gtest/gtest.h>

namespace sluice::utf8 {
namespace {

TEST(Utf8SequenceLength, RecognisesWellFormedSequences) {
  EXPECT_EQ(sequence_length("a", 0), 1u);
  EXPECT_EQ(sequence_length("\xC3\xA9", 0), 2u);          // é
  EXPECT_EQ(sequence_length("\xE2\x82\xAC", 0), 3u);      // €
  EXPECT_EQ(sequence_length("\xF0\x9F\x98\x80", 0), 4u);  // 😀
}

TEST(Utf8SequenceLength, RefusesMalformedBytes) {
  for (const char* bad : {"\x80", "\xC0\xAF", "\xC3", "\xE0\x80\x80", "\xED\xA0\x80", "\xF4\x90\x80\x80",
                          "\xF8\x88\x80\x80\x80", "\xE2\x82"}) {
    EXPECT_EQ(sequence_length(bad, 0), 0u) << bad;
  }
}

TEST(Utf8Truncate, KeepsShortTextWhole) {
  EXPECT_EQ(truncate("héllo", 6), "héllo");
  EXPECT_EQ(truncate("", 0), "");
}

TEST(Utf8Truncate, NeverSplitsACodePoint) {
  const std::string text =
      "a\xC3\xA9"
      "b";  // a é b: 4 bytes
  EXPECT_EQ(truncate(text, 1), "a");
  EXPECT_EQ(truncate(text, 2), "a");
  EXPECT_EQ(truncate(text, 3), "a\xC3\xA9");
  const std::string emoji = "x\xF0\x9F\x98\x80y";
  for (std::size_t cut = 1; cut <= 4; ++cut) EXPECT_EQ(truncate(emoji, cut), "x") << cut;
  EXPECT_EQ(truncate(emoji, 5), "x\xF0\x9F\x98\x80");
  EXPECT_EQ(truncate("\xE2\x82\xAC\xE2\x82\xAC", 5), "\xE2\x82\xAC");
  EXPECT_EQ(truncate("\xE2\x82\xAC", 2), "");
}

TEST(Utf8Truncate, CountsMalformedBytesSingly) {
  EXPECT_EQ(truncate("\x80\x80\x80\x80\x80", 3), "\x80\x80\x80");
  EXPECT_EQ(truncate("ab\xC3", 2), "ab");
}

TEST(Utf8Truncate, ResultIsAlwaysAPrefixWithinTheLimit) {
  const std::string text = "ünïcode ✓ 😀 plain";
  for (std::size_t cut = 0; cut <= text.size(); ++cut) {
    const auto prefix = truncate(text, cut);
    EXPECT_LE(prefix.size(), cut);
    EXPECT_GE(prefix.size() + 3, cut);
    EXPECT_TRUE(is_valid(prefix)) << cut;
    EXPECT_EQ(text.substr(0, prefix.size()), prefix);
  }
}

TEST(Utf8IsValid, ChecksWholeText) {
  EXPECT_TRUE(is_valid("plain ünïcode ✓"));
  EXPECT_FALSE(is_valid("bad \xFF byte"));
}

TEST(Utf8IsValid, AcceptsValidTextAndToValidKeepsIt) {
  for (const char* text : {"", "plain ascii long enough for the word loop", "\xc3\xa9", "\xe2\x82\xac",
                           "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf", "a\xed\x9f\xbf"}) {
    EXPECT_TRUE(is_valid(text)) << text;
    EXPECT_EQ(to_valid(text), text);
  }
}

TEST(Utf8IsValid, RefusesInvalidSequences) {
  for (const char* text : {"\xff", "\x80", "\xc3", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
                           "\xf5\x80\x80\x80", "\xe2\x82", "abcdefgh\xc3(", "\xf0\x9f\x98"}) {
    EXPECT_FALSE(is_valid(text)) << text;
  }
}

TEST(Utf8ToValid, ReplacesEachInvalidByte) {
  EXPECT_EQ(to_valid("a\xff" "b\xc3"), "a\xef\xbf\xbd" "b\xef\xbf\xbd");
  EXPECT_EQ(to_valid("\xe2\x82" "x"), "\xef\xbf\xbd\xef\xbf\xbd" "x");
  EXPECT_TRUE(is_valid(to_valid("\xed\xa0\x80\xf0\x9f\x98\x80\x80")));
}

}  // namespace
}  // namespace sluice::utf8
