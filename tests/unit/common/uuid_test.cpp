#include "common/uuid.hpp"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(CanonicalUuid, LowerCasesValidIds) {
  EXPECT_EQ(canonical_uuid("550E8400-E29B-41D4-A716-446655440000"), "550e8400-e29b-41d4-a716-446655440000");
}

TEST(CanonicalUuid, RefusesMalformedIds) {
  for (const char* bad : {"", "my-connection", "550e8400e29b41d4a716446655440000",
                          "550e8400-e29b-41d4-a716-44665544000g", "550e8400-e29b-41d4-a716-4466554400000",
                          "{550e8400-e29b-41d4-a716-446655440000}"}) {
    EXPECT_FALSE(canonical_uuid(bad)) << bad;
  }
}

TEST(RandomUuid4, IsAVersion4UuidAndVaries) {
  std::mt19937_64 rng(42);
  auto a = random_uuid4(rng);
  auto b = random_uuid4(rng);
  ASSERT_TRUE(canonical_uuid(a));
  EXPECT_EQ(a[14], '4');
  EXPECT_TRUE(a[19] == '8' || a[19] == '9' || a[19] == 'a' || a[19] == 'b');
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace sluice
