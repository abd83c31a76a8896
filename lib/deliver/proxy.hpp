#pragma once
// Which HTTP proxy (if any) the ingest client tunnels through with CONNECT:
// HTTPS_PROXY / https_proxy for https:// API URLs, minus NO_PROXY / no_proxy
// and loopback hosts (never proxied, as in Go's net/http). Pure: the
// environment is a lookup function.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/expected.hpp"
#include "config/url.hpp"

namespace sluice::deliver {

struct ProxyEndpoint {
  std::string host;
  std::uint16_t port = 3128;
  std::string authorization;  // "Basic …" from user:password in the URL; a secret

  bool operator==(const ProxyEndpoint&) const = default;
};

using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

// The process environment as an EnvLookup.
EnvLookup process_environment();

// http://[user:password@]host[:port][/] or host[:port]; https:// proxies
// (TLS to the proxy itself) are refused with a message.
Expected<ProxyEndpoint, std::string> parse_proxy_url(std::string_view text);

// NO_PROXY rules: comma or space separated; "*" matches all; "host",
// ".domain" and "domain" match the host and its subdomains; an entry with
// ":port" matches only that port. IP addresses match exactly (no CIDR).
bool no_proxy_matches(std::string_view no_proxy, std::string_view host, std::uint16_t port);

// The proxy for `api`, nothing for a direct connection, or an error for a
// proxy variable that does not parse.
Expected<std::optional<ProxyEndpoint>, std::string> proxy_for(const config::HttpUrl& api, const EnvLookup& env);

}  // namespace sluice::deliver
