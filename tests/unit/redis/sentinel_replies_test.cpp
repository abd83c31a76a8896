#include "redis/sentinel_replies.hpp"

#include <gtest/gtest.h>

namespace sluice::redis {
namespace {

using R = RedisReply;

TEST(SentinelReplies, MasterAddressIsHostAndPort) {
  auto address = parse_master_address(R::array({R::bulk("127.0.0.1"), R::bulk("6380")}));
  ASSERT_TRUE(address) << address.error();
  EXPECT_EQ(*address, (config::RedisEndpoint{"127.0.0.1", 6380}));
}

TEST(SentinelReplies, NoAddressSaysWhy) {
  EXPECT_NE(parse_master_address(R::nil()).error().find("unknown"), std::string::npos);
  EXPECT_NE(parse_master_address(R::error("NOPERM no")).error().find("NOPERM"), std::string::npos);
  for (const auto& bad : {R::array({R::bulk("h")}), R::array({R::bulk("h"), R::bulk("0")}),
                          R::array({R::bulk("h"), R::bulk("70000")}), R::array({R::bulk(""), R::bulk("1")}),
                          R::array({R::bulk("h"), R::integer(1)}), R::integer(3)}) {
    EXPECT_FALSE(parse_master_address(bad)) << bad;
  }
}

TEST(SentinelReplies, RoleTellsMasterFromReplica) {
  EXPECT_EQ(parse_role(R::array({R::bulk("master"), R::integer(0), R::array({})})), NodeRole::master);
  EXPECT_EQ(parse_role(R::array({R::bulk("slave"), R::bulk("127.0.0.1"), R::integer(6379), R::bulk("connected"),
                                 R::integer(0)})),
            NodeRole::replica);
  EXPECT_EQ(parse_role(R::array({R::bulk("sentinel"), R::array({})})), NodeRole::other);
  EXPECT_EQ(parse_role(R::error("NOPERM this user has no permissions to run the 'role' command")), NodeRole::unknown);
  EXPECT_EQ(parse_role(R::array({})), NodeRole::unknown);
}

TEST(SentinelReplies, SwitchMasterNamesTheNewAddressOfOurMasterOnly) {
  EXPECT_EQ(parse_switch_master("mymaster 127.0.0.1 6379 127.0.0.1 6380", "mymaster"),
            (config::RedisEndpoint{"127.0.0.1", 6380}));
  EXPECT_FALSE(parse_switch_master("other 127.0.0.1 6379 127.0.0.1 6380", "mymaster"));
  EXPECT_FALSE(parse_switch_master("mymaster 127.0.0.1 6379 127.0.0.1", "mymaster"));
  EXPECT_FALSE(parse_switch_master("mymaster 127.0.0.1 6379 127.0.0.1 port", "mymaster"));
  EXPECT_FALSE(parse_switch_master("", "mymaster"));
}

}  // namespace
}  // namespace sluice::redis
