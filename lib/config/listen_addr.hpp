#pragma once
// The health server's address as configured in SLUICE_HEALTH_ADDR:
// "HOST:PORT", ":PORT" (all interfaces), "[v6]:PORT" or "off".

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/expected.hpp"

namespace sluice::config {

struct ListenAddr {
  std::string host;  // empty = all interfaces; brackets of an IPv6 literal removed
  std::uint16_t port = 0;

  bool operator==(const ListenAddr&) const = default;
};

// "off" gives an empty optional; anything malformed an error text.
Expected<std::optional<ListenAddr>, std::string> parse_listen_addr(std::string_view text);

// Where a local client (--healthcheck) reaches a server bound to `addr`:
// a wildcard or empty host means this machine's loopback.
std::string local_host_for(const ListenAddr& addr);

}  // namespace sluice::config
