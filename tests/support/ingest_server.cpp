#include "support/ingest_server.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <mutex>
#include <vector>

#include "deliver/beast.hpp"
#include "support/ingest_ledger.hpp"
#include "support/io_thread.hpp"

namespace sluice::testing {
namespace {

using asio::redirect_error;
using asio::use_awaitable;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

RecordedRequest record_of(const http::request<http::string_body>& request, std::uint64_t connection) {
  RecordedRequest record;
  record.arrived = SteadyClock::now();
  record.connection = connection;
  record.target = std::string(request.target());
  for (const auto& field : request) record.headers[lower(std::string(field.name_string()))] = std::string(field.value());
  record.body = request.body();
  record.wire_bytes = request.body().size();
  return record;
}

http::response<http::string_body> response_of(const Answer& answer, bool keep_alive) {
  http::response<http::string_body> response{static_cast<http::status>(answer.status), 11};
  response.set(http::field::content_type, "application/json");
  if (!answer.retry_after.empty()) response.set(http::field::retry_after, answer.retry_after);
  response.keep_alive(keep_alive);
  response.body() = answer.body;
  response.prepare_payload();
  return response;
}

}  // namespace

struct TestIngestServer::Impl {
  explicit Impl(IngestServerOptions opts) : options(std::move(opts)), ledger(options.api_key, options.count_only) {
    if (options.tls) {
      tls.use_certificate_chain(asio::buffer(options.identity.cert_pem));
      tls.use_private_key(asio::buffer(options.identity.key_pem), asio::ssl::context::pem);
    }
    listen(0);
  }
  ~Impl() { thread.stop(); }

  void listen(std::uint16_t wanted) {
    thread.call([this, wanted] {
      acceptor.open(tcp::v4());
      acceptor.set_option(tcp::acceptor::reuse_address(true));
      acceptor.bind(tcp::endpoint(asio::ip::make_address("127.0.0.1"), wanted));
      acceptor.listen();
      port = acceptor.local_endpoint().port();
      asio::co_spawn(thread.context(), accept_loop(), asio::detached);
    });
  }

  void close_all() {
    thread.call([this] {
      boost::system::error_code ec;
      acceptor.close(ec);
      for (auto& [id, stream] : open) stream->socket().close(ec);
    });
  }

  asio::awaitable<void> accept_loop() {
    for (;;) {
      boost::system::error_code ec;
      tcp::socket socket = co_await acceptor.async_accept(redirect_error(use_awaitable, ec));
      if (ec) co_return;  // closed by stop_listening() or shutdown
      asio::co_spawn(thread.context(), serve(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> serve(tcp::socket socket) {
    const std::uint64_t id = ++connections;
    ledger.count_connection();
    beast::tcp_stream plain(std::move(socket));
    if (!options.tls) {
      open[id] = &plain;
      co_await exchange_loop(plain, id);
      open.erase(id);
      co_return;
    }
    beast::ssl_stream<beast::tcp_stream> secure(std::move(plain), tls);
    open[id] = &beast::get_lowest_layer(secure);
    boost::system::error_code ec;
    beast::get_lowest_layer(secure).expires_after(std::chrono::seconds(10));
    co_await secure.async_handshake(asio::ssl::stream_base::server, redirect_error(use_awaitable, ec));
    if (ec) ledger.count_tls_failure();
    else co_await exchange_loop(secure, id);
    open.erase(id);
  }

  template <class Stream>
  asio::awaitable<void> exchange_loop(Stream& stream, std::uint64_t id) {
    beast::flat_buffer buffer;
    for (;;) {
      boost::system::error_code ec;
      http::request_parser<http::string_body> parser;
      parser.body_limit(128 * 1024 * 1024);
      beast::get_lowest_layer(stream).expires_never();  // idle keep-alive lasts until the client leaves
      co_await http::async_read(stream, buffer, parser, redirect_error(use_awaitable, ec));
      if (ec) co_return;
      std::size_t index = 0;
      const Answer answer = ledger.handle(record_of(parser.get(), id), index);
      co_await take_slot();
      if (answer.delay.count() > 0) {
        asio::steady_timer timer(thread.context(), answer.delay);
        co_await timer.async_wait(redirect_error(use_awaitable, ec));
      }
      release_slot();
      auto response = response_of(answer, parser.get().keep_alive());
      // Stamped before the write: once the answer is out the client may send
      // its next request at once, and a stamp taken after the write could
      // land after that request's arrival (retry gaps would look shorter).
      ledger.answered(index, SteadyClock::now());
      co_await http::async_write(stream, response, redirect_error(use_awaitable, ec));
      if (ec) co_return;
      if (!response.keep_alive()) co_return;
    }
  }

  // Capacity: requests beyond it wait for a slot (server thread only).
  asio::awaitable<void> take_slot() {
    {
      std::lock_guard lock(stats_mutex);
      samples.emplace_back(std::chrono::duration<double>(SteadyClock::now() - started).count(), held + 1);
      most_held = std::max(most_held, held + 1);
    }
    ++held;
    while (capacity > 0 && active >= capacity) {
      asio::steady_timer wait(thread.context(), SteadyClock::time_point::max());
      waiters.push_back(&wait);
      boost::system::error_code ec;
      co_await wait.async_wait(redirect_error(use_awaitable, ec));
      std::erase(waiters, &wait);
    }
    ++active;
  }
  void release_slot() {
    --active;
    --held;
    wake_waiter();
  }
  void wake_waiter() {
    if (!waiters.empty()) waiters.front()->cancel();
  }

  IngestServerOptions options;
  IngestLedger ledger;
  std::size_t capacity = 0;  // server thread only, like the rest below
  std::size_t active = 0;
  std::size_t held = 0;
  std::vector<asio::steady_timer*> waiters;
  SteadyClock::time_point started = SteadyClock::now();
  mutable std::mutex stats_mutex;
  std::size_t most_held = 0;                              // guarded by stats_mutex
  std::vector<std::pair<double, std::size_t>> samples;    // guarded by stats_mutex
  asio::ssl::context tls{asio::ssl::context::tls_server};
  std::map<std::uint64_t, beast::tcp_stream*> open;  // server thread only
  std::uint64_t connections = 0;                      // server thread only
  std::uint16_t port = 0;
  IoThread thread;  // last: stopped first, while the rest still exists
  tcp::acceptor acceptor{thread.context()};
};

TestIngestServer::TestIngestServer(IngestServerOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

TestIngestServer::~TestIngestServer() {
  impl_->close_all();
  impl_->thread.stop();
}

std::uint16_t TestIngestServer::port() const { return impl_->port; }

std::string TestIngestServer::base_url() const {
  return std::string(impl_->options.tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(port()) + "/api";
}

std::string TestIngestServer::api_key() const { return impl_->ledger.api_key(); }

void TestIngestServer::stop_listening() { impl_->close_all(); }
void TestIngestServer::resume_listening() { impl_->listen(impl_->port); }
void TestIngestServer::fail_next(Fault fault, std::size_t count) { impl_->ledger.fail_next(std::move(fault), count); }
void TestIngestServer::fail_all(Fault fault) { impl_->ledger.fail_all(std::move(fault)); }
void TestIngestServer::set_event_quota(std::size_t events, std::string retry_after) {
  impl_->ledger.set_event_quota(events, std::move(retry_after));
}
void TestIngestServer::lift_event_quota() { impl_->ledger.lift_event_quota(); }
void TestIngestServer::clear_faults() { impl_->ledger.clear_faults(); }
void TestIngestServer::set_delay(std::chrono::milliseconds delay) { impl_->ledger.set_delay(delay); }
void TestIngestServer::set_chaos(Chaos chaos) { impl_->ledger.set_chaos(chaos); }
void TestIngestServer::set_capacity(std::size_t requests) {
  impl_->thread.call([this, requests] {
    impl_->capacity = requests;
    // More room: let as many waiters go as now fit.
    for (std::size_t i = impl_->active; i < requests && i - impl_->active < impl_->waiters.size(); ++i) {
      impl_->waiters[i - impl_->active]->cancel();
    }
  });
}
std::size_t TestIngestServer::most_concurrent() const {
  std::lock_guard lock(impl_->stats_mutex);
  return impl_->most_held;
}
std::vector<std::pair<double, std::size_t>> TestIngestServer::concurrency_samples() const {
  std::lock_guard lock(impl_->stats_mutex);
  return impl_->samples;
}
void TestIngestServer::set_max_body_bytes(std::size_t bytes) { impl_->ledger.set_max_body_bytes(bytes); }
void TestIngestServer::set_invalid_marker(std::string marker) { impl_->ledger.set_invalid_marker(std::move(marker)); }
void TestIngestServer::set_api_key(std::string key) { impl_->ledger.set_api_key(std::move(key)); }
void TestIngestServer::set_accept_status(int status) { impl_->ledger.set_accept_status(status); }

std::vector<RecordedRequest> TestIngestServer::requests() const { return impl_->ledger.requests(); }
std::vector<std::string> TestIngestServer::accepted_events() const { return impl_->ledger.accepted_events(); }
std::size_t TestIngestServer::accepted_count() const { return impl_->ledger.accepted_count(); }
std::size_t TestIngestServer::request_count() const { return impl_->ledger.request_count(); }
std::size_t TestIngestServer::connection_count() const { return impl_->ledger.connection_count(); }
std::size_t TestIngestServer::tls_failures() const { return impl_->ledger.tls_failures(); }

}  // namespace sluice::testing
