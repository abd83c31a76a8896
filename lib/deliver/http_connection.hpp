#pragma once
// HttpConnection: one pooled connection of the HttpsClient — TCP, an optional
// CONNECT tunnel, an optional verified TLS session — and one request/answer
// exchange over it with a deadline. Internal to lib/deliver (Beast types).

#include <memory>
#include <string>

#include "deliver/beast.hpp"
#include "deliver/http_client.hpp"
#include "deliver/tls_session_cache.hpp"

namespace sluice::deliver {

using BeastRequest = http::request<http::span_body<const char>>;  // the body is the caller's
using ResponseParser = http::response_parser<http::string_body>;

struct ExchangeError {
  std::string message;  // empty on success
  bool stale = false;   // closed by the peer before any answer: safe to resend once
};

class HttpConnection {
 public:
  HttpConnection(asio::any_io_executor executor, asio::ssl::context& tls, TlsSessionCache& sessions,
                 const ClientOptions& options);
  ~HttpConnection();

  // Opens a new connection; returns an error message, empty on success.
  asio::awaitable<std::string> open();
  asio::awaitable<ExchangeError> exchange(BeastRequest& request, ResponseParser& parser);

  void cancel();
  void close();
  bool is_open() const { return tcp_ || tls_; }

 private:
  asio::awaitable<std::string> resolve_and_connect();
  asio::awaitable<std::string> tunnel();
  asio::awaitable<std::string> handshake();
  beast::tcp_stream& lowest_layer();
  std::string describe(const beast::error_code& ec, const std::string& what) const;

  asio::any_io_executor executor_;
  asio::ssl::context& tls_context_;
  TlsSessionCache& sessions_;
  const ClientOptions& options_;
  asio::ip::tcp::resolver resolver_;
  asio::steady_timer resolve_timer_;
  std::unique_ptr<beast::tcp_stream> tcp_;                         // before TLS, or plain http
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls_;      // after the handshake
  beast::flat_buffer buffer_;
  bool cancelled_ = false;
  bool resolve_timed_out_ = false;
};

// "host:port" with IPv6 in brackets: CONNECT target and diagnostics.
std::string authority(const std::string& host, std::uint16_t port);

}  // namespace sluice::deliver
