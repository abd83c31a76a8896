#pragma once
// DeliveryHarness: a Deliverer on a private io_context with a Logger that
// writes into a string and its own Metrics, for delivery tests. Stops the
// loop and drains the context before anything it references goes away.

#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include "deliver/deliverer.hpp"
#include "observe/log.hpp"
#include "observe/metrics.hpp"
#include "support/await.hpp"

namespace sluice::testing {

class DeliveryHarness {
 public:
  DeliveryHarness() = default;
  ~DeliveryHarness() { shutdown(); }
  DeliveryHarness(const DeliveryHarness&) = delete;
  DeliveryHarness& operator=(const DeliveryHarness&) = delete;

  deliver::Deliverer& make(std::unique_ptr<deliver::Sink> sink, deliver::DeliveryOptions options) {
    sink_ = std::move(sink);
    deliverer_ = std::make_unique<deliver::Deliverer>(io.get_executor(), options, *sink_, metrics, log, 7);
    return *deliverer_;
  }

  deliver::Deliverer& deliverer() { return *deliverer_; }
  deliver::Sink& sink() { return *sink_; }

  bool run_until(const std::function<bool()>& done,
                 std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    return testing::run_until(io, done, timeout);
  }

  // Runs flush() to completion; returns the number it dropped.
  std::size_t flush(std::chrono::milliseconds timeout) {
    std::optional<std::size_t> dropped;
    asio::co_spawn(io, deliverer_->flush(timeout), [&](std::exception_ptr, std::size_t n) { dropped = n; });
    run_until([&] { return dropped.has_value(); }, timeout + std::chrono::seconds(30));
    return dropped.value_or(static_cast<std::size_t>(-1));
  }

  std::uint64_t counter(const std::string& name, const observe::Labels& labels = {}) {
    return metrics.counter(name, "", labels).value();
  }
  std::uint64_t dropped(const std::string& reason) {
    return counter("sluiced_events_dropped_total", {{"reason", reason}});
  }
  std::uint64_t batches(const std::string& status) {
    return counter("sluiced_batches_total", {{"status", status}});
  }
  std::string log_text() const { return log_stream.str(); }

  void shutdown() {
    if (!deliverer_) return;
    deliverer_->stop();
    run_until([&] { return !deliverer_->running(); }, std::chrono::seconds(10));
    deliverer_.reset();
    sink_.reset();
    io.restart();
    io.poll();
  }

  asio::io_context io;
  observe::Metrics metrics;
  std::ostringstream log_stream;
  observe::Logger log{log_stream, observe::Level::debug, observe::Format::text};

 private:
  std::unique_ptr<deliver::Sink> sink_;
  std::unique_ptr<deliver::Deliverer> deliverer_;
};

}  // namespace sluice::testing
