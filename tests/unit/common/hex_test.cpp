#include "common/hex.hpp"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(HexValue, ReadsDigitsOfEitherCase) {
  EXPECT_EQ(hex_value('0'), 0);
  EXPECT_EQ(hex_value('9'), 9);
  EXPECT_EQ(hex_value('a'), 10);
  EXPECT_EQ(hex_value('F'), 15);
}

TEST(HexValue, RefusesEverythingElse) {
  for (const char c : {'g', 'G', '/', ':', '@', '`', ' ', '\0', '\xff'}) EXPECT_EQ(hex_value(c), -1) << static_cast<int>(c);
}

}  // namespace
}  // namespace sluice
