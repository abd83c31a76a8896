#include "observe/listen_socket.hpp"

#include <vector>

#include "common/host_port.hpp"

namespace sluice::observe {

using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

std::vector<tcp::endpoint> candidates(asio::any_io_executor executor, const config::ListenAddr& addr, error_code& ec) {
  if (addr.host.empty()) return {{asio::ip::address_v6::any(), addr.port}, {asio::ip::address_v4::any(), addr.port}};
  const auto literal = asio::ip::make_address(addr.host, ec);
  if (!ec) return {{literal, addr.port}};
  tcp::resolver resolver(executor);
  std::vector<tcp::endpoint> found;
  for (const auto& entry : resolver.resolve(addr.host, std::to_string(addr.port), ec)) found.push_back(entry.endpoint());
  return found;
}

error_code bind_and_listen(tcp::acceptor& acceptor, const tcp::endpoint& endpoint) {
  error_code ec;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec && endpoint.address().is_v6() && endpoint.address().is_unspecified()) {
    acceptor.set_option(asio::ip::v6_only(false), ec);
  }
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    error_code ignored;
    acceptor.close(ignored);
  }
  return ec;
}

}  // namespace

Expected<std::uint16_t, std::string> listen_on(tcp::acceptor& acceptor, const config::ListenAddr& addr) {
  const std::string shown = host_and_port(addr.host, addr.port);
  error_code ec;
  const auto endpoints = candidates(acceptor.get_executor(), addr, ec);
  if (endpoints.empty()) return Unexpected("cannot resolve health address " + shown + ": " + ec.message());
  for (const auto& endpoint : endpoints) {
    ec = bind_and_listen(acceptor, endpoint);
    if (!ec) return acceptor.local_endpoint().port();
  }
  return Unexpected("cannot listen on " + shown + ": " + ec.message());
}

}  // namespace sluice::observe
