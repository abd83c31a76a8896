#pragma once
// A HealthServer on 127.0.0.1:0 with its io_context on a thread of its own,
// so tests can talk to it with blocking clients. The report it serves is
// set by the test; on_loop() runs code on the server's thread and waits.

#include <mutex>

#include <gtest/gtest.h>

#include "observe/health_server.hpp"
#include "support/io_thread.hpp"
#include "support/prometheus_text.hpp"

namespace sluice::observe {

class LiveHealthServer {
 public:
  explicit LiveHealthServer(HealthServerLimits limits = {})
      : server_(io_.context(), metrics_, [this] { return report(); }, limits) {
    auto port = io_.call([this] {
      metrics_.adopt_current_thread();  // built here, used on the loop from now on
      return server_.start({"127.0.0.1", 0});
    });
    if (!port) ADD_FAILURE() << port.error();
    port_ = port.value_or(0);
  }
  ~LiveHealthServer() {
    io_.call([this] { server_.stop(); });
    // Every connection coroutine has ended before the server goes away.
    EXPECT_TRUE(io_.finish(std::chrono::seconds(30))) << "health server connections still open";
  }
  LiveHealthServer(const LiveHealthServer&) = delete;
  LiveHealthServer& operator=(const LiveHealthServer&) = delete;

  std::uint16_t port() const { return port_; }

  void set_report(HealthReport r) {
    std::lock_guard lock(mutex_);
    report_ = std::move(r);
  }

  template <class F>
  auto on_loop(F f) -> decltype(f()) {
    return io_.call(std::move(f));
  }

  std::size_t open_connections() {
    return on_loop([this] { return server_.open_connections(); });
  }
  // A sample's current value (0 while it does not exist yet), read without
  // registering anything.
  double sample(std::string_view name, const testing::PromLabels& labels = {}) {
    auto parsed = testing::parse_prometheus_text(on_loop([this] { return metrics_.render(); }));
    if (!parsed) ADD_FAILURE() << parsed.error();
    return parsed ? parsed->value(name, labels).value_or(0) : 0;
  }
  Metrics& metrics() { return metrics_; }  // touch only inside on_loop()
  HealthServer& server() { return server_; }  // touch only inside on_loop()

 private:
  HealthReport report() {
    std::lock_guard lock(mutex_);
    return report_;
  }

  Metrics metrics_;
  std::mutex mutex_;
  HealthReport report_;
  testing::IoThread io_;  // keeps running (on_loop) after the server stops, until finish()
  HealthServer server_;
  std::uint16_t port_ = 0;
};

inline HealthReport healthy_report() {
  HealthReport r;
  r.healthy = true;
  r.ready = true;
  r.redis_connected = true;
  r.last_delivery = "sent";
  return r;
}

inline HealthReport unhealthy_report(std::string reason) {
  HealthReport r = healthy_report();
  r.healthy = false;
  r.reasons = {std::move(reason)};
  return r;
}

}  // namespace sluice::observe
