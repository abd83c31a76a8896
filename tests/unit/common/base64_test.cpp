#include "common/base64.hpp"

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

TEST(Base64, DecodeIntoReusesTheBuffer) {
  std::string out = "previous content that is long";
  ASSERT_TRUE(base64_decode_into("Zm8=", out));
  EXPECT_EQ(out, "fo");
}

}  // namespace
}  // namespace sluice
