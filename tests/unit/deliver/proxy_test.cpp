#include "deliver/proxy.hpp"

#include <gtest/gtest.h>

#include <map>

namespace sluice::deliver {
namespace {

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
}

config::HttpUrl api(std::string host, bool tls = true, std::uint16_t port = 443) {
  return config::HttpUrl{tls, std::move(host), port, "/api"};
}

TEST(ProxyUrl, ParsesHostPortAndCredentials) {
  EXPECT_EQ(parse_proxy_url("http://proxy.corp:8080").value(), (ProxyEndpoint{"proxy.corp", 8080, ""}));
  EXPECT_EQ(parse_proxy_url("proxy.corp:3129/").value(), (ProxyEndpoint{"proxy.corp", 3129, ""}));
  EXPECT_EQ(parse_proxy_url("HTTP://proxy.corp").value().port, 3128);
  EXPECT_EQ(parse_proxy_url("http://[::1]:8080").value(), (ProxyEndpoint{"::1", 8080, ""}));
  // RFC 7617's example: Aladdin:open sesame.
  EXPECT_EQ(parse_proxy_url("http://Aladdin:open%20sesame@p:1").value().authorization,
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  EXPECT_EQ(parse_proxy_url("http://ab@p:1").value().authorization, "Basic YWI=");
}

TEST(ProxyUrl, RefusesWhatItCannotUse) {
  EXPECT_FALSE(parse_proxy_url("https://proxy:443").has_value());
  EXPECT_FALSE(parse_proxy_url("socks5://proxy:1080").has_value());
  EXPECT_FALSE(parse_proxy_url("http://:8080").has_value());
  EXPECT_FALSE(parse_proxy_url("http://proxy:0").has_value());
  EXPECT_FALSE(parse_proxy_url("http://proxy:http").has_value());
}

TEST(NoProxy, MatchesHostsDomainsPortsAndStar) {
  EXPECT_TRUE(no_proxy_matches("*", "sluice.sh", 443));
  EXPECT_TRUE(no_proxy_matches("example.com, sluice.sh", "sluice.sh", 443));
  EXPECT_TRUE(no_proxy_matches(".sluice.sh", "api.sluice.sh", 443));
  EXPECT_TRUE(no_proxy_matches("sluice.sh", "api.sluice.sh", 443));
  EXPECT_TRUE(no_proxy_matches("SLUICE.SH", "sluice.sh", 443));
  EXPECT_FALSE(no_proxy_matches("sluice.sh", "notsluice.sh", 443));
  EXPECT_TRUE(no_proxy_matches("sluice.sh:443", "sluice.sh", 443));
  EXPECT_FALSE(no_proxy_matches("sluice.sh:8443", "sluice.sh", 443));
  EXPECT_TRUE(no_proxy_matches("10.0.0.5", "10.0.0.5", 443));
  EXPECT_TRUE(no_proxy_matches("fd00::1", "fd00::1", 443));
  EXPECT_FALSE(no_proxy_matches("", "sluice.sh", 443));
}

TEST(ProxyFor, UsesHttpsProxyUnlessExcluded) {
  auto env = env_of({{"HTTPS_PROXY", "http://proxy:3128"}, {"NO_PROXY", "internal.corp"}});
  EXPECT_EQ(proxy_for(api("sluice.sh"), env).value(), (ProxyEndpoint{"proxy", 3128, ""}));
  EXPECT_EQ(proxy_for(api("api.internal.corp"), env).value(), std::nullopt);
  EXPECT_EQ(proxy_for(api("sluice.sh"), env_of({{"https_proxy", "proxy:1"}})).value()->port, 1);
  EXPECT_EQ(proxy_for(api("sluice.sh"), env_of({{"no_proxy", "*"}, {"https_proxy", "proxy:1"}})).value(),
            std::nullopt);
  EXPECT_EQ(proxy_for(api("sluice.sh"), env_of({})).value(), std::nullopt);
}

TEST(ProxyFor, NeverProxiesLoopbackOrPlainHttp) {
  auto env = env_of({{"HTTPS_PROXY", "http://proxy:3128"}, {"HTTP_PROXY", "http://proxy:3128"}});
  EXPECT_EQ(proxy_for(api("127.0.0.1"), env).value(), std::nullopt);
  EXPECT_EQ(proxy_for(api("localhost"), env).value(), std::nullopt);
  EXPECT_EQ(proxy_for(api("::1"), env).value(), std::nullopt);
  EXPECT_EQ(proxy_for(api("sluice.internal", false, 80), env).value(), std::nullopt);
}

TEST(ProxyFor, ReportsABrokenProxyVariable) {
  auto result = proxy_for(api("sluice.sh"), env_of({{"HTTPS_PROXY", "https://proxy"}}));
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().find("HTTPS_PROXY"), std::string::npos);
}

}  // namespace
}  // namespace sluice::deliver
