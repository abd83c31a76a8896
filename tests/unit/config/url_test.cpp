#include "config/url.hpp"

#include <gtest/gtest.h>

namespace sluice::config {
namespace {

TEST(RedisUrl, DefaultsPortAndDb) {
  auto url = parse_redis_url("redis://localhost");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->transport, RedisUrl::Transport::tcp);
  EXPECT_EQ(url->host, "localhost");
  EXPECT_EQ(url->port, 6379);
  EXPECT_EQ(url->db, 0);
}

TEST(RedisUrl, ParsesAclCredentialsPercentDecoded) {
  auto url = parse_redis_url("rediss://app%40user:p%40ss%3Aword@redis.example:6380/3");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->transport, RedisUrl::Transport::tls);
  EXPECT_EQ(url->username, "app@user");
  EXPECT_EQ(url->password, "p@ss:word");
  EXPECT_EQ(url->host, "redis.example");
  EXPECT_EQ(url->port, 6380);
  EXPECT_EQ(url->db, 3);
}

TEST(RedisUrl, BarePasswordAndEmptyUser) {
  auto bare = parse_redis_url("redis://secret@h");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->password, "secret");
  EXPECT_EQ(bare->username, "");
  auto empty_user = parse_redis_url("redis://:secret@h/1");
  ASSERT_TRUE(empty_user);
  EXPECT_EQ(empty_user->password, "secret");
  EXPECT_EQ(empty_user->db, 1);
}

TEST(RedisUrl, ParsesIpv6) {
  auto url = parse_redis_url("redis://[::1]:7000/2");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, 7000);
}

TEST(RedisUrl, ParsesUnixSockets) {
  auto url = parse_redis_url("unix:///run/redis/redis.sock?db=4&password=pw");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->transport, RedisUrl::Transport::unix_socket);
  EXPECT_EQ(url->socket_path, "/run/redis/redis.sock");
  EXPECT_EQ(url->db, 4);
  EXPECT_EQ(url->password, "pw");
}

TEST(RedisUrl, RefusesMalformedUrls) {
  for (const char* bad : {"localhost:6379", "http://h", "redis://", "redis://h:0", "redis://h:70000",
                          "redis://h:x", "redis://h/x", "unix://relative.sock", "unix:///s?db=x",
                          "unix:///s?color=red", "redis://[::1"}) {
    EXPECT_FALSE(parse_redis_url(bad)) << bad;
  }
}

TEST(RedisUrl, MaskingHidesPasswordsOnly) {
  EXPECT_EQ(masked_redis_url("redis://user:hunter2@h:1/0"), "redis://user:****@h:1/0");
  EXPECT_EQ(masked_redis_url("redis://hunter2@h"), "redis://****@h");
  EXPECT_EQ(masked_redis_url("unix:///s?db=1&password=hunter2"), "unix:///s?db=1&password=****");
  EXPECT_EQ(masked_redis_url("redis://h:6379/0"), "redis://h:6379/0");
}

TEST(HttpUrl, ParsesAndJoinsWithOneSlash) {
  auto url = parse_http_url("https://sluice.sh/api/");
  ASSERT_TRUE(url);
  EXPECT_TRUE(url->tls);
  EXPECT_EQ(url->port, 443);
  EXPECT_EQ(join_path(*url, "ingest"), "/api/ingest");
  EXPECT_EQ(join_path(*url, "/ingest"), "/api/ingest");
  auto bare = parse_http_url("http://127.0.0.1:8443");
  ASSERT_TRUE(bare);
  EXPECT_FALSE(bare->tls);
  EXPECT_EQ(bare->port, 8443);
  EXPECT_EQ(join_path(*bare, "ingest"), "/ingest");
}

TEST(RedisUrl, ParsesCelerysSentinelList) {
  auto url = parse_redis_url("sentinel://:master%21pw@10.0.0.1:26379;sentinel://s2;sentinel://[::1]:26380/3");
  ASSERT_TRUE(url) << url.error();
  ASSERT_TRUE(url->uses_sentinel());
  EXPECT_EQ(url->sentinels, (std::vector<RedisEndpoint>{{"10.0.0.1", 26379}, {"s2", 26379}, {"::1", 26380}}));
  EXPECT_EQ(url->password, "master!pw");  // the master's, as in kombu
  EXPECT_EQ(url->db, 3);
  EXPECT_EQ(url->host, "");
  EXPECT_EQ(url->transport, RedisUrl::Transport::tcp);
}

TEST(RedisUrl, SentinelCredentialsAndDbMayRepeatButMustAgree) {
  auto repeated = parse_redis_url("sentinel://:pw@a:1/2;sentinel://:pw@b:2/2");
  ASSERT_TRUE(repeated) << repeated.error();
  EXPECT_EQ(repeated->password, "pw");
  EXPECT_EQ(repeated->db, 2);
  EXPECT_FALSE(parse_redis_url("sentinel://:pw@a:1;sentinel://:other@b:2"));
  EXPECT_FALSE(parse_redis_url("sentinel://a:1/1;sentinel://b:2/2"));
  for (const char* bad : {"sentinel://", "sentinel://a:1;", "sentinel://a:1;redis://b:2", "sentinel://a:0",
                          "sentinel://a:1/x"}) {
    EXPECT_FALSE(parse_redis_url(bad)) << bad;
  }
  const auto masked = masked_redis_url("sentinel://:hunter2@a:1;sentinel://:hunter2@b:2");
  EXPECT_EQ(masked.find("hunter2"), std::string::npos) << masked;
}

TEST(HttpUrl, RefusesCredentialsAndOtherSchemes) {
  EXPECT_FALSE(parse_http_url("ftp://h"));
  EXPECT_FALSE(parse_http_url("https://user:key@h/api"));
  EXPECT_FALSE(parse_http_url("https://h/api?x=1"));
  EXPECT_FALSE(parse_http_url("https://:443"));
}

TEST(Loopback, RecognisesLoopbackHosts) {
  EXPECT_TRUE(is_loopback_host("localhost"));
  EXPECT_TRUE(is_loopback_host("127.0.0.1"));
  EXPECT_TRUE(is_loopback_host("127.5.0.1"));
  EXPECT_TRUE(is_loopback_host("::1"));
  EXPECT_FALSE(is_loopback_host("10.0.0.1"));
  EXPECT_FALSE(is_loopback_host("sluice.sh"));
}

}  // namespace
}  // namespace sluice::config
