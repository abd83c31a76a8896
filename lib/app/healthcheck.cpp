// --healthcheck: a plain HTTP GET of /health on the configured address, so
// container images need no curl. Exit 0 on 200, else 1 with one line on
// stderr saying why (the server's reasons when it gave any).

#include <nlohmann/json.hpp>

#include "app/daemon.hpp"
#include "common/host_port.hpp"
#include "observe/beast_http.hpp"  // includes Asio the project's way, first
#include "config/listen_addr.hpp"

namespace sluice::app {
namespace {

namespace beast = boost::beast;
namespace http = boost::beast::http;
using boost::system::error_code;

constexpr auto kTimeout = std::chrono::seconds(2);

struct Fetched {
  unsigned status = 0;
  std::string body;
  std::string error;  // set when no response arrived
};

asio::awaitable<void> fetch_health(std::string host, std::uint16_t port, Fetched& out) {
  auto executor = co_await asio::this_coro::executor;
  const std::string shown = host_and_port(host, port);
  error_code ec;
  asio::ip::tcp::resolver resolver(executor);
  const auto endpoints =
      co_await resolver.async_resolve(host, std::to_string(port), asio::redirect_error(asio::use_awaitable, ec));
  beast::tcp_stream stream(executor);
  stream.expires_after(kTimeout);  // one budget for connect, request and response
  if (!ec) co_await stream.async_connect(endpoints, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    out.error = "cannot connect to " + shown + ": " + ec.message();
    co_return;
  }
  http::request<http::empty_body> request{http::verb::get, "/health", 11};
  request.set(http::field::host, shown);
  request.keep_alive(false);
  co_await http::async_write(stream, request, asio::redirect_error(asio::use_awaitable, ec));
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024);
  if (!ec) co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    out.error = "no answer from " + shown + "/health: " + ec.message();
    co_return;
  }
  out.status = parser.get().result_int();
  out.body = parser.get().body();
}

// The server's own reasons ("Redis connection lost; …") when it sent JSON.
std::string reasons_in(const std::string& body) {
  const auto doc = nlohmann::json::parse(body, nullptr, false);
  if (!doc.is_object() || !doc.contains("reasons") || !doc["reasons"].is_array()) return "";
  std::string joined;
  for (const auto& reason : doc["reasons"]) {
    if (!reason.is_string()) continue;
    joined += (joined.empty() ? "" : "; ") + reason.get<std::string>();
  }
  return joined;
}

}  // namespace

int run_healthcheck(const config::Settings& settings, std::ostream& err) {
  const auto addr = config::parse_listen_addr(settings.health_addr);
  if (!addr || !*addr) {
    err << "sluiced: unhealthy: no health endpoint to ask (SLUICE_HEALTH_ADDR="
        << settings.health_addr << ")\n";
    return 1;
  }
  asio::io_context io;
  Fetched fetched;
  asio::co_spawn(io, fetch_health(config::local_host_for(**addr), (*addr)->port, fetched),
                 [&fetched](std::exception_ptr e) {
                   if (e) fetched.error = "health check failed unexpectedly";
                 });
  io.run();
  if (!fetched.error.empty()) {
    err << "sluiced: unhealthy: " << fetched.error << "\n";
    return 1;
  }
  if (fetched.status == 200) return 0;
  const std::string reasons = reasons_in(fetched.body);
  err << "sluiced: unhealthy: /health answered HTTP " << fetched.status << (reasons.empty() ? "" : ": ") << reasons
      << "\n";
  return 1;
}

}  // namespace sluice::app
