#pragma once
// HttpsClient: a pool of persistent HTTP/1.1 connections to the ingest API.
// A request takes an idle connection (the most recently used) or opens a
// new one, so there are as many connections as requests in flight; idle
// ones are closed after idle_timeout. New connections resume the latest TLS
// session. TLS verifies the chain (system store plus an optional CA file)
// AND the host name, with SNI; plain http is used only when the URL says so
// (config allows it for loopback or with the insecure flag). Optional
// CONNECT tunnel through a proxy. Every step has a timeout (docs/ingest-contract.md §1).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/asio.hpp"
#include "common/expected.hpp"
#include "config/url.hpp"
#include "deliver/proxy.hpp"

namespace sluice::deliver {

struct ClientOptions {
  config::HttpUrl url;  // scheme, host and port are used; the path is the caller's
  std::string ca_file;  // extra trusted CAs (PEM), besides the system store
  std::chrono::milliseconds connect_timeout{10'000};  // resolve, connect, CONNECT, TLS handshake
  std::chrono::milliseconds request_timeout{30'000};  // write the request, read the answer
  std::optional<ProxyEndpoint> proxy;
  std::size_t max_response_bytes = 1024 * 1024;
  std::chrono::milliseconds idle_timeout{30'000};  // an unused connection is closed after this
};

struct HttpHeader {
  std::string name;
  std::string value;
};

struct HttpRequest {
  std::string target;  // origin-form, e.g. "/api/ingest"
  std::vector<HttpHeader> headers;
  // Not copied: the bytes must stay valid until post() completes. A batch's
  // body does (its send awaits the post), and with 32 requests of up to
  // 1 MiB in flight, a copy per request was the largest cost in memory.
  std::string_view body;
};

struct HttpResponse {
  int status = 0;
  std::string body;
  std::string retry_after;
};

class HttpConnection;

class HttpsClient {
 public:
  // Fails (as a value) when the CA file cannot be loaded.
  static Expected<std::unique_ptr<HttpsClient>, std::string> create(asio::any_io_executor executor,
                                                                    ClientOptions options);
  ~HttpsClient();
  HttpsClient(const HttpsClient&) = delete;
  HttpsClient& operator=(const HttpsClient&) = delete;

  // POSTs the request. Connect, proxy, TLS, timeout and I/O failures come
  // back as a message (host and reason, never headers or body). A reused
  // connection the server had closed is reopened once, transparently.
  // Several posts may run at once, each on its own connection.
  asio::awaitable<Expected<HttpResponse, std::string>> post(HttpRequest request);

  // Aborts every request in progress (post() then fails with "cancelled")
  // and closes the idle connections.
  void cancel();

  bool connected() const;  // at least one connection is open
  std::size_t open_connections() const;
  std::uint64_t connections_opened() const { return connections_opened_; }
  std::uint64_t sessions_resumed() const;

 private:
  struct TlsContext;
  struct Idle;
  HttpsClient(asio::any_io_executor executor, std::unique_ptr<TlsContext> tls, ClientOptions options);

  std::unique_ptr<HttpConnection> take_connection();
  void give_back(std::unique_ptr<HttpConnection> connection);
  void arm_idle_timer();
  void close_idle(std::chrono::steady_clock::time_point now);

  asio::any_io_executor executor_;
  std::unique_ptr<TlsContext> tls_;
  ClientOptions options_;  // connections keep a reference to it
  std::vector<Idle> idle_;             // most recently used last
  std::vector<HttpConnection*> busy_;  // requests in flight, for cancel()
  std::unique_ptr<asio::steady_timer> idle_timer_;
  bool idle_timer_armed_ = false;
  std::uint64_t connections_opened_ = 0;
};

}  // namespace sluice::deliver
