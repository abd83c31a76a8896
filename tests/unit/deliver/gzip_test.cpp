#include "deliver/gzip.hpp"

#include <gtest/gtest.h>

#include <random>

namespace sluice::deliver {
namespace {

TEST(Gzip, RoundTripsAndCarriesTheGzipMagic) {
  std::string body = R"({"events":[)";
  for (int i = 0; i < 500; ++i) body += std::string(i ? "," : "") + R"({"type":"queue_snapshot","n":)" + std::to_string(i) + "}";
  body += "]}";
  auto packed = gzip_compress(body);
  ASSERT_TRUE(packed.has_value());
  ASSERT_GE(packed->size(), 18u);
  EXPECT_EQ(static_cast<unsigned char>((*packed)[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>((*packed)[1]), 0x8b);
  EXPECT_LT(packed->size(), body.size() / 4);
  auto unpacked = gzip_decompress(*packed, 1 << 20);
  ASSERT_TRUE(unpacked.has_value()) << unpacked.error();
  EXPECT_EQ(*unpacked, body);
}

TEST(Gzip, RoundTripsEmptyAndIncompressibleData) {
  std::mt19937_64 rng(3);
  std::string noise(200'000, '\0');
  for (auto& c : noise) c = static_cast<char>(rng());
  for (const std::string& data : {std::string(), noise}) {
    auto packed = gzip_compress(data);
    ASSERT_TRUE(packed.has_value());
    auto unpacked = gzip_decompress(*packed, 1 << 20);
    ASSERT_TRUE(unpacked.has_value()) << unpacked.error();
    EXPECT_EQ(*unpacked, data);
  }
}

TEST(Gzip, RefusesGarbageTruncationAndBombs) {
  EXPECT_FALSE(gzip_decompress("not gzip", 1 << 20).has_value());
  auto packed = gzip_compress(std::string(100'000, 'a'));
  ASSERT_TRUE(packed.has_value());
  EXPECT_FALSE(gzip_decompress(packed->substr(0, packed->size() - 5), 1 << 20).has_value());
  EXPECT_FALSE(gzip_decompress(*packed + "x", 1 << 20).has_value());
  EXPECT_FALSE(gzip_decompress(*packed, 1000).has_value());
}

}  // namespace
}  // namespace sluice::deliver
