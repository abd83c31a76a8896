#include "deliver/http_client.hpp"

#include <openssl/ssl.h>

#include "common/trust_store.hpp"
#include "deliver/http_connection.hpp"

namespace sluice::deliver {

struct HttpsClient::TlsContext {
  asio::ssl::context context{asio::ssl::context::tls_client};
};

namespace {

std::string host_header(const config::HttpUrl& url) {
  const bool default_port = url.port == (url.tls ? 443 : 80);
  const bool v6 = url.host.find(':') != std::string::npos;
  const std::string host = v6 ? "[" + url.host + "]" : url.host;
  return default_port ? host : host + ":" + std::to_string(url.port);
}

BeastRequest build_request(const config::HttpUrl& url, const HttpRequest& in) {
  BeastRequest request{http::verb::post, in.target, 11};
  request.set(http::field::host, host_header(url));
  for (const auto& header : in.headers) request.set(header.name, header.value);
  request.keep_alive(true);
  request.body() = in.body;
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
    : tls_(std::move(tls)),
      options_(std::move(options)),
      connection_(std::make_unique<HttpConnection>(executor, tls_->context, options_)) {}

HttpsClient::~HttpsClient() = default;

bool HttpsClient::connected() const { return connection_->is_open(); }

void HttpsClient::cancel() { connection_->cancel(); }

asio::awaitable<Expected<HttpResponse, std::string>> HttpsClient::post(const HttpRequest& in) {
  BeastRequest request = build_request(options_.url, in);
  for (int attempt = 0;; ++attempt) {
    const bool reused = connection_->is_open();
    if (!reused) {
      if (auto error = co_await connection_->open(); !error.empty()) co_return Unexpected(std::move(error));
      ++connections_opened_;
    }
    ResponseParser parser;
    parser.body_limit(options_.max_response_bytes);
    const ExchangeError error = co_await connection_->exchange(request, parser);
    if (error.message.empty()) {
      auto& answer = parser.get();
      if (!answer.keep_alive()) connection_->close();
      co_return HttpResponse{static_cast<int>(answer.result_int()), std::move(answer.body()),
                             std::string(answer[http::field::retry_after])};
    }
    // An idle keep-alive connection the server closed: open a fresh one and
    // resend once (the Idempotency-Key makes a resend harmless anyway).
    if (!(reused && error.stale && attempt == 0)) co_return Unexpected(error.message);
  }
}

}  // namespace sluice::deliver
