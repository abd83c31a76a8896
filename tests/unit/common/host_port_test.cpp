#include "common/host_port.hpp"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(HostPort, NamesAndIPv4AddressesAsTheyAre) {
  EXPECT_EQ(host_and_port("redis.internal", 6379), "redis.internal:6379");
  EXPECT_EQ(host_and_port("127.0.0.1", 8081), "127.0.0.1:8081");
  EXPECT_EQ(bracketed_host("localhost"), "localhost");
}

TEST(HostPort, IPv6AddressesInBrackets) {
  EXPECT_EQ(host_and_port("::1", 8081), "[::1]:8081");
  EXPECT_EQ(bracketed_host("fe80::1"), "[fe80::1]");
}

}  // namespace
}  // namespace sluice
