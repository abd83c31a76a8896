// ingest_sink: a counting stand-in for the Sluice ingest API, for bench/run.sh.
// HTTPS (or plain HTTP without --cert) on 127.0.0.1, one thread, keep-alive.
//
//   ingest_sink --port-file F [--port N] [--cert CERT.pem --key KEY.pem] [--hold-ms N]
//
// POST …/ingest: counts the events of the batch (and per type), samples the
// delivery latency of its first job event (now − event timestamp) and
// answers 202. GET /stats: the counts and latency percentiles as JSON.
// --hold-ms N holds every POST's response N ms, as a WAN round trip and a
// database write would: requests keep arriving meanwhile (on other
// connections), and the most held at once is reported as max_in_flight.
// It is written to cost far less per event than sluiced itself, so that a
// benchmark measures sluiced and not its peer: events are counted with one
// scan of the body instead of a JSON parse.

#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/iso_time.hpp"
#include "deliver/beast.hpp"

namespace {

using namespace sluice;
using tcp = asio::ip::tcp;
using boost::system::error_code;

// Lets `jobs` be searched with a string_view, so a job seen before costs no
// allocation.
struct TransparentHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
};

struct Stats {
  std::uint64_t requests = 0;
  std::uint64_t events = 0;
  std::uint64_t body_bytes = 0;
  std::map<std::string, std::uint64_t, std::less<>> types;
  std::vector<double> latencies;  // seconds, one per request that held a job event
  // Per job id: whether a terminal state (completed, failed) arrived; the
  // driver compares these counts with the tasks the load generator sent.
  std::unordered_map<std::string, bool, TransparentHash, std::equal_to<>> jobs;
  std::uint64_t terminal_jobs = 0;
  // Job events that arrived after their job's terminal state with another
  // state: a job's events out of order (a repeat of the final state is not).
  std::uint64_t after_final = 0;
  double slowest_post_s = 0;  // the longest the sink spent on one POST: its own stalls
  std::chrono::milliseconds hold{0};  // how long every POST's response is held
  std::uint64_t in_flight = 0;        // POSTs read and not yet answered
  std::uint64_t max_in_flight = 0;
};

double wall_now() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

// gzip or zlib framing (windowBits 15 + 32 detects either).
std::optional<std::string> inflate_any(std::string_view in) {
  z_stream z{};
  if (inflateInit2(&z, 15 + 32) != Z_OK) return std::nullopt;
  std::string out(in.size() * 4 + 1024, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    if (z.total_out == out.size()) out.resize(out.size() * 2);
    z.next_out = reinterpret_cast<Bytef*>(out.data() + z.total_out);
    z.avail_out = static_cast<uInt>(out.size() - z.total_out);
    rc = inflate(&z, Z_NO_FLUSH);
  }
  out.resize(z.total_out);
  inflateEnd(&z);
  if (rc != Z_STREAM_END) return std::nullopt;
  return out;
}

// The string value that starts right after `key` (e.g. `"type":"`), if the
// object at `from` begins with it; sluiced writes type and timestamp first.
std::string_view value_after(std::string_view body, std::size_t from, std::string_view key) {
  if (body.compare(from, key.size(), key) != 0) return {};
  const auto start = from + key.size();
  const auto end = body.find('"', start);
  return end == std::string_view::npos ? std::string_view{} : body.substr(start, end - start);
}

// string_view::find with glibc's memmem: std's find looks for the needle's
// first character, '"', which is every few bytes of JSON.
std::size_t find_text(std::string_view body, std::string_view needle, std::size_t from) {
  const void* at = memmem(body.data() + from, body.size() - from, needle.data(), needle.size());
  return at == nullptr ? std::string_view::npos : static_cast<std::size_t>(static_cast<const char*>(at) - body.data());
}

// Notes the job of the job event starting at `from`: its id and whether its
// state is terminal. sluiced writes "job" with externalId first and state
// soon after; a search bounded by the event keeps this a few finds.
void note_job(std::string_view body, std::size_t from, Stats& stats) {
  constexpr std::string_view kJob = R"("job":{"externalId":")";
  const auto at = find_text(body, kJob, from);
  if (at == std::string_view::npos) return;
  const auto id = value_after(body, at, kJob);
  const auto state_at = find_text(body, R"("state":")", at);
  if (state_at == std::string_view::npos) return;
  const auto state = value_after(body, state_at, R"("state":")");
  const bool terminal = state == "completed" || state == "failed";
  auto it = stats.jobs.find(id);
  if (it == stats.jobs.end()) it = stats.jobs.emplace(std::string(id), false).first;
  if (it->second && !terminal) ++stats.after_final;
  if (terminal && !it->second) {
    it->second = true;
    ++stats.terminal_jobs;
  }
}

// The index of the quote that closes the string whose text starts at `i`
// (body.size() if none): memchr to each quote, escaped when an odd run of
// backslashes precedes it. Most of a batch is string text.
std::size_t string_end(std::string_view body, std::size_t i) {
  for (;;) {
    const void* quote = std::memchr(body.data() + i, '"', body.size() - i);
    if (quote == nullptr) return body.size();
    const auto at = static_cast<std::size_t>(static_cast<const char*>(quote) - body.data());
    std::size_t backslashes = 0;
    while (at - backslashes > i && body[at - backslashes - 1] == '\\') ++backslashes;
    if (backslashes % 2 == 0) return at;
    i = at + 1;
  }
}

// Counts the objects of the top-level "events" array: every '{' at depth 2
// outside strings. Per-type counts come from the leading "type" member.
void count_batch(std::string_view body, Stats& stats, double received_at) {
  int depth = 0;
  bool latency_taken = false;
  for (std::size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (c == '"') i = string_end(body, i + 1);
    else if (c == '[' || c == ']') depth += c == '[' ? 1 : -1;
    else if (c == '}') --depth;
    else if (c == '{') {
      if (++depth != 3) continue;  // root object 1, events array 2, an event 3
      ++stats.events;
      const auto type = value_after(body, i + 1, R"("type":")");
      auto it = stats.types.find(type);
      if (it == stats.types.end()) it = stats.types.emplace(std::string(type), 0).first;
      ++it->second;
      if (type != "job_state_change") continue;
      note_job(body, i, stats);
      if (latency_taken) continue;
      const auto type_end = i + 1 + std::strlen(R"("type":"job_state_change",)");
      const auto stamp = value_after(body, type_end, R"("timestamp":")");
      if (const auto millis = parse_iso8601(stamp)) {
        stats.latencies.push_back(received_at - static_cast<double>(*millis) / 1000.0);
        latency_taken = true;
      }
    }
  }
}

double percentile(std::vector<double> values, double fraction) {
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<std::size_t>(fraction * static_cast<double>(values.size())))];
}

std::string stats_json(const Stats& stats) {
  std::string out = "{\"requests\": " + std::to_string(stats.requests) + ", \"events\": " +
                    std::to_string(stats.events) + ", \"body_bytes\": " + std::to_string(stats.body_bytes) +
                    ", \"jobs\": " + std::to_string(stats.jobs.size()) +
                    ", \"terminal_jobs\": " + std::to_string(stats.terminal_jobs) +
                    ", \"after_final\": " + std::to_string(stats.after_final) +
                    ", \"slowest_post_s\": " + std::to_string(stats.slowest_post_s) +
                    ", \"max_in_flight\": " + std::to_string(stats.max_in_flight) +
                    ", \"types\": {";
  const char* separator = "";
  for (const auto& [type, count] : stats.types) {
    out.append(separator).append("\"").append(type).append("\": ").append(std::to_string(count));
    separator = ", ";
  }
  out += "}";
  const char* names[] = {"latency_p50_s", "latency_p99_s", "latency_max_s"};
  const double fractions[] = {0.50, 0.99, 1.0};
  for (int k = 0; k < 3; ++k) {
    out.append(", \"").append(names[k]).append("\": ");
    out += stats.latencies.empty() ? "null" : std::to_string(percentile(stats.latencies, fractions[k]));
  }
  return out + "}";
}

http::response<http::string_body> answer(const http::request<http::string_body>& request, Stats& stats) {
  http::response<http::string_body> response{http::status::accepted, request.version()};
  response.set(http::field::content_type, "application/json");
  response.keep_alive(request.keep_alive());
  if (request.method() == http::verb::get && request.target() == "/stats") {
    response.result(http::status::ok);
    response.body() = stats_json(stats);
  } else if (request.method() == http::verb::post) {
    const double now = wall_now();
    ++stats.requests;
    stats.body_bytes += request.body().size();
    const auto encoding = request[http::field::content_encoding];
    const std::uint64_t before = stats.events;
    if (encoding == "gzip") {
      if (const auto plain = inflate_any(request.body())) count_batch(*plain, stats, now);
      else response.result(http::status::bad_request);
    } else {
      count_batch(request.body(), stats, now);
    }
    response.body() = "{\"accepted\": " + std::to_string(stats.events - before) + "}";
    stats.slowest_post_s = std::max(stats.slowest_post_s, wall_now() - now);
  } else {
    response.result(http::status::not_found);
  }
  response.prepare_payload();
  return response;
}

template <class Stream>
asio::awaitable<void> exchange(Stream& stream, Stats& stats) {
  beast::flat_buffer buffer;
  for (;;) {
    error_code ec;
    http::request_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    auto response = answer(parser.get(), stats);
    if (stats.hold.count() > 0 && parser.get().method() == http::verb::post) {
      stats.max_in_flight = std::max(stats.max_in_flight, ++stats.in_flight);
      asio::steady_timer held(stream.get_executor(), stats.hold);
      co_await held.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      --stats.in_flight;
    }
    co_await http::async_write(stream, response, asio::redirect_error(asio::use_awaitable, ec));
    if (ec || !response.keep_alive()) co_return;
  }
}

asio::awaitable<void> serve(tcp::socket socket, asio::ssl::context* tls, Stats& stats) {
  socket.set_option(tcp::no_delay(true));
  beast::tcp_stream plain(std::move(socket));
  if (tls == nullptr) {
    co_await exchange(plain, stats);
    co_return;
  }
  beast::ssl_stream<beast::tcp_stream> secure(std::move(plain), *tls);
  error_code ec;
  co_await secure.async_handshake(asio::ssl::stream_base::server, asio::redirect_error(asio::use_awaitable, ec));
  if (!ec) co_await exchange(secure, stats);
}

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, asio::ssl::context* tls, Stats& stats) {
  for (;;) {
    auto socket = co_await acceptor.async_accept(asio::use_awaitable);
    asio::co_spawn(acceptor.get_executor(), serve(std::move(socket), tls, stats), asio::detached);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string port_file, cert, key;
  long hold_ms = 0;
  unsigned short port = 0;  // 0: any free one (an outage test restarts the sink on the same one)
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    if (flag == "--port-file") port_file = argv[i + 1];
    else if (flag == "--cert") cert = argv[i + 1];
    else if (flag == "--key") key = argv[i + 1];
    else if (flag == "--hold-ms") hold_ms = std::strtol(argv[i + 1], nullptr, 10);
    else if (flag == "--port") port = static_cast<unsigned short>(std::strtoul(argv[i + 1], nullptr, 10));
  }
  if (port_file.empty()) {
    std::fprintf(stderr, "usage: ingest_sink --port-file F [--port N] [--cert CERT.pem --key KEY.pem] [--hold-ms N]\n");
    return 64;
  }
  asio::io_context io(1);
  asio::ssl::context tls(asio::ssl::context::tls_server);
  if (!cert.empty()) {
    tls.use_certificate_chain_file(cert);
    tls.use_private_key_file(key, asio::ssl::context::pem);
  }
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  Stats stats;
  stats.hold = std::chrono::milliseconds(hold_ms);
  // Room for the largest case (1 M tasks) up front: growing a map of
  // hundreds of thousands of jobs stalls the sink for tens of milliseconds,
  // and sluiced would be measured buffering through the test equipment's
  // own pause.
  stats.jobs.reserve(2'000'000);
  asio::co_spawn(io, accept_loop(acceptor, cert.empty() ? nullptr : &tls, stats), asio::detached);
  std::ofstream(port_file) << acceptor.local_endpoint().port();
  asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&io](const error_code&, int) { io.stop(); });
  io.run();
  return 0;
}
