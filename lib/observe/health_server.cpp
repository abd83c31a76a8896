#include "observe/health_server.hpp"

#include <algorithm>
#include <map>

#include "observe/beast_http.hpp"
#include "observe/http_request.hpp"
#include "observe/listen_socket.hpp"

namespace sluice::observe {

namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

// One accepted connection. `reading` while it waits for (or receives) a
// request head: then it costs the server nothing to close it, and a newer
// connection may take its slot.
struct HealthConnection {
  explicit HealthConnection(tcp::socket socket) : stream(std::move(socket)) {}
  beast::tcp_stream stream;
  bool reading = true;
};

struct HealthServer::State {
  State(asio::io_context& io, Metrics& m, Endpoints e, HealthServerLimits l)
      : endpoints(std::move(e)),
        limits(l),
        metrics(m),
        refused(m.counter("sluiced_health_connections_refused_total",
                          "Connections to the health endpoint closed at once because too many were open")),
        evicted(m.counter("sluiced_health_connections_evicted_total",
                          "Connections to the health endpoint that had sent no complete request, closed to "
                          "make room for a new one")),
        acceptor(io) {}

  Counter& requests(unsigned status) {
    auto [it, added] = requests_by_status.try_emplace(status, nullptr);
    if (added) {
      it->second = &metrics.counter("sluiced_health_requests_total", "Requests answered by the health endpoint",
                                    {{"code", std::to_string(status)}});
    }
    return *it->second;
  }

  // At the cap, the oldest connection still reading a request gives its
  // slot to the new one: idle or slow clients can delay a probe by one
  // request at most, never starve it. Only when every slot is busy
  // answering is the new connection refused.
  bool make_room() {
    if (connections.size() < limits.max_connections) return true;
    for (auto it = connections.begin(); it != connections.end(); ++it) {
      if (!it->second->reading) continue;
      it->second->stream.close();  // its coroutine ends on the aborted read
      connections.erase(it);
      evicted.inc();
      return true;
    }
    return false;
  }

  Endpoints endpoints;
  HealthServerLimits limits;
  Metrics& metrics;
  Counter& refused;
  Counter& evicted;
  std::map<unsigned, Counter*> requests_by_status;
  tcp::acceptor acceptor;
  // The connections holding a slot, oldest first (keyed by arrival).
  std::map<std::uint64_t, std::shared_ptr<HealthConnection>> connections;
  std::uint64_t arrivals = 0;
  std::uint16_t port = 0;
  bool stopped = false;
};

namespace {

using State = HealthServer::State;

// The routes call back into the app; nothing they throw may leave the loop.
Response respond(State& state, const RequestHead& head) {
  try {
    return route_request(head, state.endpoints);
  } catch (const std::exception&) {
    return error_response(500, "internal error");
  }
}

asio::awaitable<error_code> write_response(beast::tcp_stream& stream, Response response, unsigned version,
                                           bool keep_alive) {
  http::response<http::string_body> message{static_cast<http::status>(response.status), version};
  message.set(http::field::content_type, response.content_type);
  message.set(http::field::cache_control, "no-store");
  if (!response.allow.empty()) message.set(http::field::allow, response.allow);
  message.keep_alive(keep_alive);
  if (response.head_only) {
    message.content_length(response.body.size());
  } else {
    message.body() = std::move(response.body);
    message.prepare_payload();
  }
  error_code ec;
  co_await http::async_write(stream, message, asio::redirect_error(asio::use_awaitable, ec));
  co_return ec;
}

// Lingering close: a client still sending (an oversized head, a body) would
// get a reset that can destroy our response before it reads it, so stop
// sending, read and discard until it closes, bounded in bytes and time.
asio::awaitable<void> linger_and_close(beast::tcp_stream& stream, Duration timeout) {
  error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream.expires_after(timeout);
  char sink[2048];
  for (std::size_t drained = 0; !ec && drained < 64 * 1024;) {
    drained += co_await stream.async_read_some(asio::buffer(sink), asio::redirect_error(asio::use_awaitable, ec));
  }
  stream.socket().close(ec);
}

// Waits up to the idle timeout for the first bytes of a request; false
// when none came (timeout, close, eviction): nothing is owed then.
asio::awaitable<bool> await_request(beast::tcp_stream& stream, beast::flat_buffer& buffer, Duration idle_timeout) {
  if (buffer.size() > 0) co_return true;  // pipelined: the next request is here already
  stream.expires_after(idle_timeout);
  error_code ec;
  const std::size_t n = co_await stream.async_read_some(buffer.prepare(std::min<std::size_t>(1024, buffer.max_size())),
                                                        asio::redirect_error(asio::use_awaitable, ec));
  buffer.commit(n);
  co_return !ec && n > 0;
}

asio::awaitable<void> serve_connection(std::shared_ptr<State> state, std::shared_ptr<HealthConnection> connection,
                                       std::uint64_t id) {
  beast::tcp_stream& stream = connection->stream;
  beast::flat_buffer buffer(state->limits.header_limit + 1024);  // bounded: a flood of bytes cannot grow it
  const unsigned max_requests = state->limits.max_requests_per_connection;
  bool answered_last = false;
  for (unsigned served = 0; served < max_requests && !state->stopped; ++served) {
    connection->reading = true;
    if (!co_await await_request(stream, buffer, state->limits.idle_timeout) || state->stopped) break;
    RequestParser parser;
    limit_request(parser, state->limits.header_limit);
    stream.expires_after(state->limits.timeout);
    error_code ec;
    co_await http::async_read_header(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
    if (state->stopped) break;  // after stop() neither metrics nor the report source is touched
    std::optional<Response> response = ec ? response_for_read_error(ec) : respond(*state, head_of(parser));
    if (!response) break;
    connection->reading = false;
    state->requests(response->status).inc();
    const bool keep_alive = !ec && !response->close && parser.get().keep_alive() && served + 1 < max_requests;
    const unsigned version = ec ? 11 : parser.get().version();
    stream.expires_after(state->limits.timeout);
    if (co_await write_response(stream, std::move(*response), version, keep_alive)) break;
    answered_last = !keep_alive;
    if (!keep_alive) break;
  }
  connection->reading = true;  // lingering: nothing more is owed
  if (answered_last && !state->stopped) co_await linger_and_close(stream, state->limits.timeout);
  error_code ignored;
  stream.socket().close(ignored);
  // Gives the slot back, unless it was already taken for a newer connection.
  if (auto it = state->connections.find(id); it != state->connections.end() && it->second == connection) {
    state->connections.erase(it);
  }
}

asio::awaitable<void> accept_loop(std::shared_ptr<State> state) {
  auto executor = co_await asio::this_coro::executor;
  while (!state->stopped) {
    tcp::socket socket(executor);
    error_code ec;
    co_await state->acceptor.async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
    if (state->stopped || ec == asio::error::operation_aborted) break;
    if (ec) {
      // Out of descriptors or memory: accepting again at once would spin,
      // and open connections free their slots within the timeout.
      asio::steady_timer pause(executor, std::chrono::milliseconds(50));
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    if (!state->make_room()) {
      state->refused.inc();
      socket.close(ec);
      continue;
    }
    auto connection = std::make_shared<HealthConnection>(std::move(socket));
    const std::uint64_t id = ++state->arrivals;
    state->connections.emplace(id, connection);
    asio::co_spawn(executor, serve_connection(state, std::move(connection), id), [](std::exception_ptr) {});
  }
}

}  // namespace

HealthServer::HealthServer(asio::io_context& io, Metrics& metrics, ReportSource report, HealthServerLimits limits)
    : state_(std::make_shared<State>(io, metrics,
                                     Endpoints{std::move(report), [&metrics] { return metrics.render(); }},
                                     limits)) {}

HealthServer::~HealthServer() { stop(); }

Expected<std::uint16_t, std::string> HealthServer::start(const config::ListenAddr& addr) {
  auto port = listen_on(state_->acceptor, addr);
  if (!port) return port;
  state_->port = *port;
  state_->stopped = false;
  asio::co_spawn(state_->acceptor.get_executor(), accept_loop(state_), [](std::exception_ptr) {});
  return port;
}

void HealthServer::stop() {
  state_->stopped = true;
  error_code ignored;
  state_->acceptor.close(ignored);
  for (auto& [id, connection] : state_->connections) connection->stream.close();
  state_->connections.clear();
}

std::uint16_t HealthServer::port() const { return state_->port; }

std::size_t HealthServer::open_connections() const { return state_->connections.size(); }

}  // namespace sluice::observe
