#pragma once
// Stream: the byte pipe under a Redis connection — TCP, TLS over TCP or a
// unix socket, chosen by the URL. Everything above it (RESP, AUTH, pub/sub)
// is one code path; only open() differs per transport.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "common/asio.hpp"
#include <boost/asio/ssl.hpp>

#include "redis/connect_options.hpp"
#include "redis/redis_error.hpp"

namespace sluice::redis {

class Stream {
 public:
  using Tcp = asio::ip::tcp::socket;
  using Tls = asio::ssl::stream<Tcp>;
  using Unix = asio::local::stream_protocol::socket;

  explicit Stream(asio::any_io_executor executor);

  // Resolves, connects and (for rediss://) does the TLS handshake with
  // chain and host-name verification. No deadline here: the caller's
  // watchdog calls close() to abort.
  asio::awaitable<std::optional<RedisError>> open(const ConnectOptions& options);

  asio::awaitable<std::size_t> read_some(asio::mutable_buffer buffer, boost::system::error_code& ec);
  asio::awaitable<void> write_all(asio::const_buffer buffer, boost::system::error_code& ec);

  // Aborts every pending operation (they complete with an error). The
  // socket objects stay alive until the Stream is destroyed.
  void close();

  // "redis://host:port", "rediss://host:port" or "unix:///path": for messages.
  static std::string describe(const config::RedisUrl& url);

 private:
  asio::awaitable<std::optional<RedisError>> connect_tcp(const ConnectOptions& options, Tcp& socket);
  asio::awaitable<std::optional<RedisError>> open_tls(const ConnectOptions& options);
  asio::awaitable<std::optional<RedisError>> open_unix(const ConnectOptions& options);

  asio::any_io_executor executor_;
  asio::ip::tcp::resolver resolver_;
  std::shared_ptr<asio::ssl::context> tls_context_;  // outlives the Tls stream using it
  std::variant<std::monostate, Tcp, std::unique_ptr<Tls>, Unix> socket_;
};

}  // namespace sluice::redis
