#include "redis/stream.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "common/host_port.hpp"
#include "common/tls_peer.hpp"
#include "redis/tls_context.hpp"

namespace sluice::redis {
namespace {

using boost::system::error_code;

// The handshake error plus OpenSSL's verdict on the peer certificate, which
// says *why* verification failed ("unable to get local issuer certificate").
std::string handshake_failure(Stream::Tls& tls, const error_code& ec) {
  std::string message = "TLS handshake failed: " + ec.message();
  const long verify = SSL_get_verify_result(tls.native_handle());
  if (verify != X509_V_OK) message += " (" + std::string(X509_verify_cert_error_string(verify)) + ")";
  return message;
}

}  // namespace

Stream::Stream(asio::any_io_executor executor) : executor_(executor), resolver_(executor) {}

std::string Stream::describe(const config::RedisUrl& url) {
  using T = config::RedisUrl::Transport;
  if (url.transport == T::unix_socket) return "unix://" + url.socket_path;
  if (url.uses_sentinel() && url.host.empty()) {  // the master is not known yet
    std::string out = "sentinel://";
    for (std::size_t i = 0; i < url.sentinels.size(); ++i) {
      if (i > 0) out += ',';
      out += host_and_port(url.sentinels[i].host, url.sentinels[i].port);
    }
    return out;
  }
  return (url.transport == T::tls ? "rediss://" : "redis://") + host_and_port(url.host, url.port);
}

asio::awaitable<std::optional<RedisError>> Stream::open(const ConnectOptions& options) {
  using T = config::RedisUrl::Transport;
  if (options.url.transport == T::tls) co_return co_await open_tls(options);
  if (options.url.transport == T::unix_socket) co_return co_await open_unix(options);
  co_return co_await connect_tcp(options, socket_.emplace<Tcp>(executor_));
}

asio::awaitable<std::optional<RedisError>> Stream::connect_tcp(const ConnectOptions& options, Tcp& socket) {
  error_code ec;
  const auto where = describe(options.url);
  auto endpoints = co_await resolver_.async_resolve(options.url.host, std::to_string(options.url.port),
                                                    asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return RedisError{RedisError::Kind::resolve, "cannot resolve " + where + ": " + ec.message()};
  co_await asio::async_connect(socket, endpoints, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return RedisError{RedisError::Kind::connect, "cannot connect to " + where + ": " + ec.message()};
  socket.set_option(asio::ip::tcp::no_delay(true), ec);
  socket.set_option(asio::socket_base::keep_alive(true), ec);  // helps notice a vanished peer
  co_return std::nullopt;
}

asio::awaitable<std::optional<RedisError>> Stream::open_tls(const ConnectOptions& options) {
  auto context = make_tls_context(options);
  if (!context) co_return context.error();
  tls_context_ = *context;
  auto& tls = *std::get<std::unique_ptr<Tls>>(socket_ = std::make_unique<Tls>(executor_, *tls_context_));
  auto failed = co_await connect_tcp(options, tls.next_layer());
  if (failed) co_return failed;
  const std::string& host = options.url.host;
  if (!expect_peer(tls, host)) co_return RedisError{RedisError::Kind::tls, "cannot set TLS server name " + host};
  error_code ec;
  co_await tls.async_handshake(Tls::client, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return RedisError{RedisError::Kind::tls, describe(options.url) + ": " + handshake_failure(tls, ec)};
  co_return std::nullopt;
}

asio::awaitable<std::optional<RedisError>> Stream::open_unix(const ConnectOptions& options) {
  auto& socket = socket_.emplace<Unix>(executor_);
  error_code ec;
  co_await socket.async_connect(asio::local::stream_protocol::endpoint(options.url.socket_path),
                                asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    co_return RedisError{RedisError::Kind::connect,
                         "cannot connect to " + describe(options.url) + ": " + ec.message()};
  }
  co_return std::nullopt;
}

asio::awaitable<std::size_t> Stream::read_some(asio::mutable_buffer buffer, error_code& ec) {
  auto token = asio::redirect_error(asio::use_awaitable, ec);
  if (auto* s = std::get_if<Tcp>(&socket_)) co_return co_await s->async_read_some(buffer, token);
  if (auto* s = std::get_if<std::unique_ptr<Tls>>(&socket_)) co_return co_await (*s)->async_read_some(buffer, token);
  if (auto* s = std::get_if<Unix>(&socket_)) co_return co_await s->async_read_some(buffer, token);
  ec = asio::error::not_connected;
  co_return 0;
}

asio::awaitable<void> Stream::write_all(asio::const_buffer buffer, error_code& ec) {
  auto token = asio::redirect_error(asio::use_awaitable, ec);
  if (auto* s = std::get_if<Tcp>(&socket_)) {
    co_await asio::async_write(*s, buffer, token);
  } else if (auto* t = std::get_if<std::unique_ptr<Tls>>(&socket_)) {
    co_await asio::async_write(**t, buffer, token);
  } else if (auto* u = std::get_if<Unix>(&socket_)) {
    co_await asio::async_write(*u, buffer, token);
  } else {
    ec = asio::error::not_connected;
  }
}

void Stream::close() {
  error_code ignored;
  resolver_.cancel();
  if (auto* s = std::get_if<Tcp>(&socket_)) s->close(ignored);
  if (auto* t = std::get_if<std::unique_ptr<Tls>>(&socket_)) (*t)->lowest_layer().close(ignored);
  if (auto* u = std::get_if<Unix>(&socket_)) u->close(ignored);
}

}  // namespace sluice::redis
