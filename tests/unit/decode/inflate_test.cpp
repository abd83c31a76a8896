#include "decode/inflate.hpp"

#include <gtest/gtest.h>

#include "unit/decode/payloads.hpp"

namespace sluice::decode {
namespace {

using testing::zlib_compress;

TEST(InflateZlib, RestoresTheBytesOfPythonsZlibCompress) {
  const std::string text = R"([{"type": "task-started"}])";
  std::string out;
  EXPECT_EQ(inflate_zlib(zlib_compress(text), 1 << 20, out), InflateResult::ok);
  EXPECT_EQ(out, text);
  const std::string big(3 << 20, 'x');  // several output chunks
  EXPECT_EQ(inflate_zlib(zlib_compress(big), 4 << 20, out), InflateResult::ok);
  EXPECT_EQ(out, big);
}

TEST(InflateZlib, StopsAtTheBound) {
  std::string out;
  const std::string stream = zlib_compress(std::string(1000, 'a'));
  EXPECT_EQ(inflate_zlib(stream, 1000, out), InflateResult::ok);
  EXPECT_EQ(inflate_zlib(stream, 999, out), InflateResult::too_large);
  EXPECT_LE(out.size(), 1000U);
}

// A body past the first buffer is measured, then inflated into a buffer of
// its size: a growing buffer left its smaller copies resident (32 MiB for a
// 16 MiB body).
TEST(InflateZlib, ALargeBodyGetsABufferOfItsExactSize) {
  const std::string big(5 << 20, 'x');  // ~1000:1, far past the first buffer
  std::string out;
  ASSERT_EQ(inflate_zlib(zlib_compress(big), 16 << 20, out), InflateResult::ok);
  EXPECT_EQ(out, big);
  EXPECT_EQ(out.capacity(), out.size());
}

TEST(InflateZlib, ALargeBodyOfExactlyTheBoundFits) {
  const std::string at(4 << 20, 'y');
  const std::string stream = zlib_compress(at);
  std::string out;
  EXPECT_EQ(inflate_zlib(stream, at.size(), out), InflateResult::ok);
  EXPECT_EQ(out.size(), at.size());
  EXPECT_EQ(inflate_zlib(stream, at.size() - 1, out), InflateResult::too_large);
  EXPECT_EQ(inflate_zlib(stream.substr(0, stream.size() - 8), at.size(), out), InflateResult::corrupt);
}

TEST(InflateZlib, RefusesCorruptOrTruncatedStreams) {
  std::string out;
  const std::string stream = zlib_compress(std::string(5000, 'q') + "tail");
  EXPECT_EQ(inflate_zlib(stream.substr(0, stream.size() - 3), 1 << 20, out), InflateResult::corrupt);
  EXPECT_EQ(inflate_zlib("", 1 << 20, out), InflateResult::corrupt);
  EXPECT_EQ(inflate_zlib("not zlib at all", 1 << 20, out), InflateResult::corrupt);
  // gzip framing is not what kombu sends under "application/x-gzip".
  EXPECT_EQ(inflate_zlib(std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00", 8), 1 << 20, out), InflateResult::corrupt);
}

}  // namespace
}  // namespace sluice::decode
