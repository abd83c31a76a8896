#include "config/listen_addr.hpp"

#include <charconv>

namespace sluice::config {

Expected<std::optional<ListenAddr>, std::string> parse_listen_addr(std::string_view text) {
  if (text == "off") return std::optional<ListenAddr>{};
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return Unexpected(std::string("has no port"));
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc{} || end != port_text.data() + port_text.size() || port > 65535) {
    return Unexpected(std::string("has an invalid port"));
  }
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return Unexpected(std::string("needs brackets around an IPv6 address, e.g. [::1]:8081"));
  }
  return std::optional<ListenAddr>{ListenAddr{std::string(host), static_cast<std::uint16_t>(port)}};
}

std::string local_host_for(const ListenAddr& addr) {
  if (addr.host.empty() || addr.host == "0.0.0.0") return "127.0.0.1";
  if (addr.host == "::") return "::1";
  return addr.host;
}

}  // namespace sluice::config
