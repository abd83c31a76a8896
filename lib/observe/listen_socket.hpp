#pragma once
// Opening the health server's listening socket from a ListenAddr: literal
// addresses, host names (resolved once, at start) and the wildcard, which
// is dual-stack where IPv6 exists and IPv4-only where it does not.

#include <cstdint>
#include <string>

#include "common/asio.hpp"
#include "common/expected.hpp"
#include "config/listen_addr.hpp"

namespace sluice::observe {

// Opens, binds and listens; returns the bound port or a one-line error.
Expected<std::uint16_t, std::string> listen_on(asio::ip::tcp::acceptor& acceptor, const config::ListenAddr& addr);

}  // namespace sluice::observe
