#include "deliver/http_client.hpp"

#include <openssl/ssl.h>

#include <algorithm>

#include "common/host_port.hpp"
#include "common/trust_store.hpp"
#include "deliver/http_connection.hpp"

namespace sluice::deliver {

struct HttpsClient::TlsContext {
  asio::ssl::context context{asio::ssl::context::tls_client};
  TlsSessionCache sessions{context.native_handle()};
};

struct HttpsClient::Idle {
  std::unique_ptr<HttpConnection> connection;
  std::chrono::steady_clock::time_point since;
};

namespace {

std::string host_header(const config::HttpUrl& url) {
  const bool default_port = url.port == (url.tls ? 443 : 80);
  return default_port ? bracketed_host(url.host) : host_and_port(url.host, url.port);
}

BeastRequest build_request(const config::HttpUrl& url, HttpRequest in) {
  BeastRequest request{http::verb::post, in.target, 11};
  request.set(http::field::host, host_header(url));
  for (const auto& header : in.headers) request.set(header.name, header.value);
  request.keep_alive(true);
  request.body() = {in.body.data(), in.body.size()};
  request.prepare_payload();
  return request;
}

}  // namespace

Expected<std::unique_ptr<HttpsClient>, std::string> HttpsClient::create(asio::any_io_executor executor,
                                                                         ClientOptions options) {
  auto tls = std::make_unique<TlsContext>();
  boost::system::error_code ec;
  SSL_CTX_set_min_proto_version(tls->context.native_handle(), TLS1_2_VERSION);
  // A host without a system store can still work with ca_file alone.
  (void)trust_cas(tls->context, system_trust_paths());
  if (!options.ca_file.empty()) {
    tls->context.load_verify_file(options.ca_file, ec);
    if (ec) return Unexpected("cannot load CA file " + options.ca_file + ": " + ec.message());
  }
  tls->context.set_verify_mode(asio::ssl::verify_peer);
  return std::unique_ptr<HttpsClient>(new HttpsClient(executor, std::move(tls), std::move(options)));
}

HttpsClient::HttpsClient(asio::any_io_executor executor, std::unique_ptr<TlsContext> tls, ClientOptions options)
    : executor_(executor),
      tls_(std::move(tls)),
      options_(std::move(options)),
      idle_timer_(std::make_unique<asio::steady_timer>(executor)) {}

HttpsClient::~HttpsClient() = default;

bool HttpsClient::connected() const { return open_connections() > 0; }

std::size_t HttpsClient::open_connections() const {
  std::size_t open = 0;
  for (const auto& idle : idle_) open += idle.connection->is_open() ? 1 : 0;
  for (const auto* busy : busy_) open += busy->is_open() ? 1 : 0;
  return open;
}

std::uint64_t HttpsClient::sessions_resumed() const { return tls_->sessions.resumed(); }

void HttpsClient::cancel() {
  for (auto* busy : busy_) busy->cancel();
  idle_.clear();
}

std::unique_ptr<HttpConnection> HttpsClient::take_connection() {
  close_idle(std::chrono::steady_clock::now());
  if (idle_.empty()) return std::make_unique<HttpConnection>(executor_, tls_->context, tls_->sessions, options_);
  auto connection = std::move(idle_.back().connection);
  idle_.pop_back();
  return connection;
}

void HttpsClient::give_back(std::unique_ptr<HttpConnection> connection) {
  if (!connection->is_open()) return;
  idle_.push_back(Idle{std::move(connection), std::chrono::steady_clock::now()});
  arm_idle_timer();
}

void HttpsClient::arm_idle_timer() {
  if (idle_timer_armed_ || idle_.empty()) return;
  idle_timer_armed_ = true;
  idle_timer_->expires_at(idle_.front().since + options_.idle_timeout);
  idle_timer_->async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;  // only when the client goes away
    idle_timer_armed_ = false;
    close_idle(std::chrono::steady_clock::now());
    arm_idle_timer();
  });
}

// Closes the connections idle for longer than idle_timeout (the oldest are first).
void HttpsClient::close_idle(std::chrono::steady_clock::time_point now) {
  std::size_t stale = 0;
  while (stale < idle_.size() && now - idle_[stale].since >= options_.idle_timeout) ++stale;
  idle_.erase(idle_.begin(), idle_.begin() + static_cast<std::ptrdiff_t>(stale));
}

asio::awaitable<Expected<HttpResponse, std::string>> HttpsClient::post(HttpRequest in) {
  BeastRequest request = build_request(options_.url, std::move(in));
  std::unique_ptr<HttpConnection> connection = take_connection();
  busy_.push_back(connection.get());
  struct Release {
    HttpsClient& client;
    std::unique_ptr<HttpConnection>& connection;
    ~Release() {
      std::erase(client.busy_, connection.get());
      client.give_back(std::move(connection));
    }
  } release{*this, connection};
  for (int attempt = 0;; ++attempt) {
    const bool reused = connection->is_open();
    if (!reused) {
      if (auto error = co_await connection->open(); !error.empty()) co_return Unexpected(std::move(error));
      ++connections_opened_;
    }
    ResponseParser parser;
    parser.body_limit(options_.max_response_bytes);
    const ExchangeError error = co_await connection->exchange(request, parser);
    if (error.message.empty()) {
      auto& answer = parser.get();
      if (!answer.keep_alive()) connection->close();
      co_return HttpResponse{static_cast<int>(answer.result_int()), std::move(answer.body()),
                             std::string(answer[http::field::retry_after])};
    }
    // An idle keep-alive connection the server closed: open a fresh one and
    // resend once (the Idempotency-Key makes a resend harmless anyway).
    if (!(reused && error.stale && attempt == 0)) co_return Unexpected(error.message);
  }
}

}  // namespace sluice::deliver
