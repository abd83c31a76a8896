#include "decode/json_reader.hpp"

#include <cmath>

#include <gtest/gtest.h>

namespace sluice::decode {
namespace {

// Skips one whole value and requires the end: the reader's validity verdict.
bool valid(std::string_view text) {
  JsonReader reader(text);
  return reader.skip_value() && reader.at_end();
}

TEST(JsonReader, AcceptsRfc8259Values) {
  for (const char* text : {"{}", "[]", " [ 1 , -0 , 2.5e-3 , 1E+2 , true , false , null ] ", R"({"a": {"b": [""]}})",
                           R"("\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00")", "0", "-12345678901234567890", "1e999",
                           "NaN", "-Infinity", "Infinity", "\"\xc3\xa9\""}) {
    EXPECT_TRUE(valid(text)) << text;
  }
}

TEST(JsonReader, RefusesMalformedText) {
  for (const char* text : {"", " ", "{", "}", "[1,]", "[,1]", "[1 2]", "{\"a\" 1}", "{\"a\":}", "{a:1}", "{\"a\":1,}",
                           "01", "1.", ".5", "-", "1e", "+1", "tru", "nul", "\"abc", "\"a\tb\"", "\"\\x\"",
                           "\"\\u12g4\"", "\"\\u12\"", "[1]]", "{} {}", "'a'", "-NaN", "nan", "[1,{\"a\":[}]"}) {
    EXPECT_FALSE(valid(text)) << text;
  }
}

TEST(JsonReader, SkipIsIterativeAndBoundedInDepth) {
  EXPECT_TRUE(valid(std::string(500, '[') + std::string(500, ']')));
  const std::string text(1000000, '[');
  JsonReader deep(text);
  EXPECT_FALSE(deep.skip_value());
  EXPECT_STREQ(deep.error(), "nested too deeply");
}

TEST(JsonReader, StringsWithoutEscapesAreViewsIntoTheInput) {
  const std::string text = R"(["plain", "esc\naped"])";
  JsonReader reader(text);
  ASSERT_TRUE(reader.enter_array());
  std::string_view value;
  ASSERT_TRUE(reader.next_element() && reader.read_string(value));
  EXPECT_EQ(value, "plain");
  EXPECT_TRUE(reader.is_input_view(value));
  ASSERT_TRUE(reader.next_element() && reader.read_string(value));
  EXPECT_EQ(value, "esc\naped");
  EXPECT_FALSE(reader.is_input_view(value));
  EXPECT_FALSE(reader.next_element());
  EXPECT_TRUE(reader.at_end());
}

TEST(JsonReader, NumbersKeepIntegersExact) {
  auto number = [](std::string_view text) {
    JsonReader reader(text);
    JsonNumber n;
    EXPECT_TRUE(reader.read_number(n) && reader.at_end()) << text;
    return n;
  };
  EXPECT_TRUE(number("9223372036854775807").is_integer);
  EXPECT_EQ(number("9223372036854775807").integer, 9223372036854775807LL);
  EXPECT_EQ(number("-9223372036854775808").integer, std::numeric_limits<long long>::min());
  EXPECT_FALSE(number("9223372036854775808").is_integer);
  EXPECT_EQ(number("9223372036854775808").real, 9223372036854775808.0);
  EXPECT_FALSE(number("2.0").is_integer);
  EXPECT_EQ(number("1795498137.6597996").real, 1795498137.6597996);
  EXPECT_TRUE(std::isinf(number("-1e999").real));
  EXPECT_EQ(number("1e-999").real, 0.0);
  EXPECT_TRUE(std::isnan(number("NaN").real));
}

TEST(JsonReader, ErrorsCarryTheirOffset) {
  JsonReader reader(R"({"a": [1, 2 3]})");
  EXPECT_FALSE(reader.skip_value());
  EXPECT_STREQ(reader.error(), "expected ',' or ']'");
  EXPECT_EQ(reader.offset(), 12U);
  EXPECT_FALSE(reader.at_end());
}

}  // namespace
}  // namespace sluice::decode
