#include "common/base64.hpp"

#include <optional>
#include <random>

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(Base64, EncodesRfc4648Vectors) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode(std::string("\xfb\xff\x00", 3)), "+/8A");
}

TEST(Base64, EncodeAppendKeepsWhatIsThere) {
  std::string out = "body=";
  base64_encode_append("fo", out);
  base64_encode_append("o", out);
  EXPECT_EQ(out, "body=Zm8=bw==");
}

TEST(Base64, DecodesRfc4648Vectors) {
  EXPECT_EQ(base64_decode(""), "");
  EXPECT_EQ(base64_decode("Zg=="), "f");
  EXPECT_EQ(base64_decode("Zm8="), "fo");
  EXPECT_EQ(base64_decode("Zm9vYmFy"), "foobar");
  EXPECT_EQ(base64_decode("+/8A"), std::string("\xfb\xff\x00", 3));
}

TEST(Base64, RoundTripsRandomBytes) {
  std::mt19937_64 rng(7);
  for (std::size_t size = 0; size < 200; ++size) {
    std::string bytes(size, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    EXPECT_EQ(base64_decode(base64_encode(bytes)), bytes) << size;
  }
}

TEST(Base64, RefusesWhatPythonsB64encodeNeverWrites) {
  for (const char* bad : {"Zg", "Zg=", "Zm9", "Z===", "====", "Zg==Zg==", "Zm=v", "Zm9v\n", " Zm9v", "Zm9v YmFy",
                          "Zm9-", "Zm9_", "Zm9v!", "Zg=A", "Zm9v="}) {
    EXPECT_FALSE(base64_decode(bad)) << bad;
  }
  EXPECT_FALSE(base64_decode(std::string("Zm\0v", 4)));
  EXPECT_FALSE(base64_decode("Zm9\xc3\xa9"));
}

// The obvious decoder, to check the fast (SIMD, word-wise) paths against.
std::optional<std::string> reference_decode(std::string_view text) {
  static constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i < text.size(); i += 4) {
    unsigned value = 0;
    int padding = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      const char c = text[i + k];
      const bool last_quantum = i + 4 == text.size();
      if (c == '=' && last_quantum && k >= 2 && (k == 3 || text[i + 3] == '=')) {
        ++padding;
        value <<= 6;
        continue;
      }
      const auto at = kAlphabet.find(c);
      if (at == std::string_view::npos || padding > 0) return std::nullopt;
      value = (value << 6) | static_cast<unsigned>(at);
    }
    out += static_cast<char>(value >> 16);
    if (padding < 2) out += static_cast<char>(value >> 8);
    if (padding < 1) out += static_cast<char>(value);
  }
  return out;
}

TEST(Base64, EveryByteAtEveryPositionAgreesWithTheReference) {
  std::mt19937_64 rng(11);
  std::string bytes(40, '\0');
  for (char& c : bytes) c = static_cast<char>(rng());
  for (const std::string& valid : {base64_encode(bytes), base64_encode(bytes.substr(0, 38)),
                                   base64_encode(bytes.substr(0, 37))}) {
    ASSERT_EQ(base64_decode(valid), reference_decode(valid));
    for (std::size_t at = 0; at < valid.size(); ++at) {
      for (int byte = 0; byte < 256; ++byte) {
        std::string text = valid;
        text[at] = static_cast<char>(byte);
        ASSERT_EQ(base64_decode(text), reference_decode(text)) << at << " " << byte;
      }
    }
  }
}

TEST(Base64, DecodeIntoReusesTheBuffer) {
  std::string out = "previous content that is long";
  ASSERT_TRUE(base64_decode_into("Zm8=", out));
  EXPECT_EQ(out, "fo");
}

}  // namespace
}  // namespace sluice
