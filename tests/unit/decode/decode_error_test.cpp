#include "decode/decode_error.hpp"

#include <algorithm>
#include <set>

#include <gtest/gtest.h>

namespace sluice::decode {
namespace {

TEST(DecodeErrorNames, NamesAreStableSnakeCaseLabels) {
  std::set<std::string> names;
  for (const DecodeErrorReason reason : kAllDecodeErrorReasons) {
    const std::string name = to_string(reason);
    const auto snake = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; };
    EXPECT_TRUE(std::ranges::all_of(name, snake)) << name;
    names.insert(name);
  }
  EXPECT_EQ(names.size(), std::size(kAllDecodeErrorReasons));
  // Prometheus label values in dashboards: renaming one breaks them.
  EXPECT_EQ(names, (std::set<std::string>{"too_large", "invalid_json", "not_kombu", "bad_envelope", "bad_base64",
                                          "unsupported_compression", "decompress_failed", "unknown_content_type",
                                          "pickle_refused", "bad_body", "not_an_event", "missing_field",
                                          "wrong_field_type"}));
}

TEST(MakeExcerpt, EscapesControlAndNonAsciiBytes) {
  EXPECT_EQ(make_excerpt("plain text"), "plain text");
  EXPECT_EQ(make_excerpt(std::string("a\nb\0c\x7f\xc3\xa9\\", 9)), "a\\x0ab\\x00c\\x7f\\xc3\\xa9\\\\");
}

TEST(MakeExcerpt, CutsAtEightyBytesWithoutSplittingAnEscape) {
  EXPECT_EQ(make_excerpt(std::string(80, 'x')), std::string(80, 'x'));
  EXPECT_EQ(make_excerpt(std::string(81, 'x')), std::string(77, 'x') + "...");
  const std::string cut = make_excerpt(std::string(76, 'x') + std::string(10, '\n'));
  EXPECT_EQ(cut, std::string(76, 'x') + "...");
  for (std::size_t n = 0; n < 200; ++n) EXPECT_LE(make_excerpt(std::string(n, '\x01')).size(), kMaxExcerpt);
}

}  // namespace
}  // namespace sluice::decode
