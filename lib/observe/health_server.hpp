#pragma once
// The HTTP endpoint of SLUICE_HEALTH_ADDR: /health, /ready, /metrics on the
// daemon's io_context (coroutines, one thread). It knows no stage: it reads
// a HealthReport through a callback and renders the Metrics registry.
// Bounded by design: header size, per-connection timeouts, connection cap;
// and idle clients cannot starve a probe (see HealthServerLimits).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/asio.hpp"
#include "common/duration.hpp"
#include "common/expected.hpp"
#include "observe/health_report.hpp"
#include "config/listen_addr.hpp"
#include "observe/metrics.hpp"

namespace sluice::observe {

struct HealthServerLimits {
  // Beyond it the oldest connection still reading a request is closed for
  // the new one (counted as evicted); only when all are busy answering is
  // the new one closed at once (counted as refused).
  std::size_t max_connections = 32;
  std::uint32_t header_limit = 8192;   // request line + headers, bytes; larger → 431
  Duration idle_timeout = std::chrono::seconds(2);  // for the first byte of each request
  Duration timeout = std::chrono::seconds(5);  // to send a request head, and to take a response
  unsigned max_requests_per_connection = 100;
};

class HealthServer {
 public:
  using ReportSource = std::function<HealthReport()>;

  // `report` is called on the io_context's thread, once per /health or
  // /ready request. `metrics` and `report` are used only until stop() (or
  // destruction); pending coroutines may outlive the server until the
  // io_context runs them to their end or is destroyed.
  HealthServer(asio::io_context& io, Metrics& metrics, ReportSource report, HealthServerLimits limits = {});
  ~HealthServer();
  HealthServer(const HealthServer&) = delete;
  HealthServer& operator=(const HealthServer&) = delete;

  // Binds and starts accepting; returns the bound port (useful with port 0)
  // or why it could not listen. An empty host listens on all interfaces.
  Expected<std::uint16_t, std::string> start(const config::ListenAddr& addr);
  // Stops accepting and closes every open connection; idempotent.
  void stop();

  std::uint16_t port() const;
  std::size_t open_connections() const;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace sluice::observe
