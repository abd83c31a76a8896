#include "deliver/http_connection.hpp"

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include "common/host_port.hpp"
#include "common/tls_peer.hpp"

namespace sluice::deliver {
namespace {

using asio::redirect_error;
using asio::use_awaitable;
using tcp = asio::ip::tcp;

std::string seconds_text(std::chrono::milliseconds d) {
  return d.count() % 1000 == 0 ? std::to_string(d.count() / 1000) + "s" : std::to_string(d.count()) + "ms";
}

// Errors after which a reused connection is known to have been closed by the
// server while idle, before it read our request.
bool closed_by_peer(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == asio::ssl::error::stream_truncated;
}

template <class Stream>
asio::awaitable<beast::error_code> round_trip(Stream& stream, beast::flat_buffer& buffer, BeastRequest& request,
                                              ResponseParser& parser) {
  beast::error_code ec;
  co_await http::async_write(stream, request, redirect_error(use_awaitable, ec));
  if (!ec) co_await http::async_read(stream, buffer, parser, redirect_error(use_awaitable, ec));
  co_return ec;
}

}  // namespace

HttpConnection::HttpConnection(asio::any_io_executor executor, asio::ssl::context& tls,
                               TlsSessionCache& sessions, const ClientOptions& options)
    : executor_(executor), tls_context_(tls), sessions_(sessions), options_(options), resolver_(executor), resolve_timer_(executor) {}

HttpConnection::~HttpConnection() = default;

beast::tcp_stream& HttpConnection::lowest_layer() { return tls_ ? beast::get_lowest_layer(*tls_) : *tcp_; }

std::string HttpConnection::describe(const beast::error_code& ec, const std::string& what) const {
  if (cancelled_ || ec == asio::error::operation_aborted) return what + ": cancelled";
  if (ec == beast::error::timeout) return what + ": timed out";
  return what + ": " + ec.message();
}

asio::awaitable<std::string> HttpConnection::open() {
  close();
  cancelled_ = false;
  if (auto error = co_await resolve_and_connect(); !error.empty()) co_return error;
  if (options_.proxy) {
    if (auto error = co_await tunnel(); !error.empty()) co_return error;
  }
  if (options_.url.tls) {
    if (auto error = co_await handshake(); !error.empty()) co_return error;
  }
  co_return std::string();
}

asio::awaitable<std::string> HttpConnection::resolve_and_connect() {
  const std::string& host = options_.proxy ? options_.proxy->host : options_.url.host;
  const std::uint16_t port = options_.proxy ? options_.proxy->port : options_.url.port;
  const std::string where = (options_.proxy ? "proxy " : "") + host_and_port(host, port);
  beast::error_code ec;
  // The resolver has no deadline of its own: a timer cancels it.
  resolve_timed_out_ = false;
  resolve_timer_.expires_after(options_.connect_timeout);
  resolve_timer_.async_wait([this](const beast::error_code& timer_ec) {
    if (!timer_ec) {
      resolve_timed_out_ = true;
      resolver_.cancel();
    }
  });
  auto endpoints = co_await resolver_.async_resolve(host, std::to_string(port), redirect_error(use_awaitable, ec));
  resolve_timer_.cancel();
  if (resolve_timed_out_) co_return "resolve " + where + ": timed out";
  if (ec) co_return describe(ec, "resolve " + where);
  tcp_ = std::make_unique<beast::tcp_stream>(executor_);
  tcp_->expires_after(options_.connect_timeout);
  co_await tcp_->async_connect(endpoints, redirect_error(use_awaitable, ec));
  if (ec) {
    close();
    co_return describe(ec, "connect " + where);
  }
  tcp_->socket().set_option(tcp::no_delay(true), ec);
  co_return std::string();
}

asio::awaitable<std::string> HttpConnection::tunnel() {
  const ProxyEndpoint& proxy = *options_.proxy;
  const std::string target = host_and_port(options_.url.host, options_.url.port);
  const std::string what = "proxy " + host_and_port(proxy.host, proxy.port) + " CONNECT " + target;
  http::request<http::empty_body> request{http::verb::connect, target, 11};
  request.set(http::field::host, target);
  if (!proxy.authorization.empty()) request.set(http::field::proxy_authorization, proxy.authorization);
  beast::error_code ec;
  tcp_->expires_after(options_.connect_timeout);
  co_await http::async_write(*tcp_, request, redirect_error(use_awaitable, ec));
  http::response_parser<http::empty_body> parser;
  parser.skip(true);  // a CONNECT answer has no body; the tunnel starts after the header
  if (!ec) co_await http::async_read(*tcp_, buffer_, parser, redirect_error(use_awaitable, ec));
  if (ec) {
    close();
    co_return describe(ec, what);
  }
  if (parser.get().result_int() / 100 != 2) {
    close();
    co_return what + ": proxy answered HTTP " + std::to_string(parser.get().result_int());
  }
  buffer_.clear();
  co_return std::string();
}

asio::awaitable<std::string> HttpConnection::handshake() {
  const std::string& host = options_.url.host;
  const std::string what = "TLS handshake with " + host_and_port(host, options_.url.port);
  tls_ = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(std::move(*tcp_), tls_context_);
  tcp_.reset();
  SSL* ssl = tls_->native_handle();
  if (!expect_peer(*tls_, host)) co_return what + " failed: cannot set TLS server name";
  sessions_.offer(ssl);
  beast::error_code ec;
  lowest_layer().expires_after(options_.connect_timeout);
  co_await tls_->async_handshake(asio::ssl::stream_base::client, redirect_error(use_awaitable, ec));
  if (!ec) {
    sessions_.note_handshake(ssl);
    co_return std::string();
  }
  const long verify = SSL_get_verify_result(ssl);
  close();
  if (verify != X509_V_OK && !cancelled_) {
    co_return what + ": certificate verify failed (" + X509_verify_cert_error_string(verify) + ")";
  }
  co_return describe(ec, what);
}

asio::awaitable<ExchangeError> HttpConnection::exchange(BeastRequest& request, ResponseParser& parser) {
  lowest_layer().expires_after(options_.request_timeout);
  const beast::error_code ec = tls_ ? co_await round_trip(*tls_, buffer_, request, parser)
                                    : co_await round_trip(*tcp_, buffer_, request, parser);
  if (!ec) co_return ExchangeError{};
  if (ec == http::error::body_limit && parser.is_header_done()) {
    // The status came and is the answer (a 2xx is success whatever its
    // body; retrying would send the batch again). The unread rest of the
    // body makes the connection unusable.
    close();
    co_return ExchangeError{};
  }
  const std::string where = host_and_port(options_.url.host, options_.url.port);
  ExchangeError error;
  error.stale = !cancelled_ && !parser.got_some() && closed_by_peer(ec);
  error.message = ec == beast::error::timeout
                      ? "request to " + where + ": no answer within " + seconds_text(options_.request_timeout)
                      : describe(ec, "request to " + where);
  close();
  co_return error;
}

void HttpConnection::cancel() {
  cancelled_ = true;
  resolver_.cancel();
  if (is_open()) lowest_layer().cancel();
}

void HttpConnection::close() {
  // TLS close_notify is skipped on purpose: the server does not need it and
  // waiting for it would add a round trip with its own timeout.
  tls_.reset();
  tcp_.reset();
  buffer_.clear();
}

}  // namespace sluice::deliver
