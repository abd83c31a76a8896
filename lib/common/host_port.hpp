#pragma once
// A host and port as URLs, Host headers and messages write them: an IPv6
// address goes in brackets (RFC 3986 §3.2.2), so "[::1]:8081", never "::1:8081".

#include <cstdint>
#include <string>
#include <string_view>

namespace sluice {

inline std::string bracketed_host(std::string_view host) {
  if (host.find(':') == std::string_view::npos) return std::string(host);
  std::string out;
  out.reserve(host.size() + 2);
  out.append("[").append(host).append("]");
  return out;
}

inline std::string host_and_port(std::string_view host, std::uint16_t port) {
  return bracketed_host(host) + ":" + std::to_string(port);
}

}  // namespace sluice
