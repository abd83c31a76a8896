#include "config/listen_addr.hpp"

#include <gtest/gtest.h>

namespace sluice::config {
namespace {

ListenAddr parsed(std::string_view text) {
  auto addr = parse_listen_addr(text);
  EXPECT_TRUE(addr.has_value() && addr->has_value()) << text;
  return addr && *addr ? **addr : ListenAddr{};
}

TEST(ListenAddr, PortAloneMeansAllInterfaces) { EXPECT_EQ(parsed(":8081"), (ListenAddr{"", 8081})); }

TEST(ListenAddr, HostAndPort) {
  EXPECT_EQ(parsed("127.0.0.1:0"), (ListenAddr{"127.0.0.1", 0}));
  EXPECT_EQ(parsed("localhost:9000"), (ListenAddr{"localhost", 9000}));
  EXPECT_EQ(parsed("[::1]:8081"), (ListenAddr{"::1", 8081}));
}

TEST(ListenAddr, OffDisables) {
  auto addr = parse_listen_addr("off");
  ASSERT_TRUE(addr);
  EXPECT_FALSE(addr->has_value());
}

TEST(ListenAddr, RejectsMalformed) {
  for (std::string_view bad : {"8081", "host:", "host:65536", "host:12a", "::1:8081", ":-1"}) {
    EXPECT_FALSE(parse_listen_addr(bad)) << bad;
  }
}

TEST(ListenAddr, LocalClientsUseLoopbackForWildcards) {
  EXPECT_EQ(local_host_for({"", 8081}), "127.0.0.1");
  EXPECT_EQ(local_host_for({"0.0.0.0", 8081}), "127.0.0.1");
  EXPECT_EQ(local_host_for({"::", 8081}), "::1");
  EXPECT_EQ(local_host_for({"10.1.2.3", 8081}), "10.1.2.3");
}

}  // namespace
}  // namespace sluice::config
