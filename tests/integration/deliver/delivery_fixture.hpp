#pragma once
// A Deliverer sending to a TestIngestServer over verified TLS, with retry
// timing shortened so the policy's effects show in seconds.

#include <gtest/gtest.h>

#include <optional>

#include "deliver/deliverer.hpp"
#include "deliver/ingest_sink.hpp"
#include "support/delivery_checks.hpp"
#include "support/delivery_harness.hpp"
#include "support/ingest_server.hpp"
#include "support/ingest_settings.hpp"
#include "support/sample_events.hpp"
#include "support/test_pki.hpp"

namespace sluice::deliver {

class DeliveryTest : public ::testing::Test {
 protected:
  using Clock = std::chrono::steady_clock;

  testing::TestIngestServer& server(testing::PemIdentity identity) {
    server_.emplace(testing::IngestServerOptions{true, std::move(identity)});
    return *server_;
  }
  testing::TestIngestServer& server() {
    if (!server_) server(pki_.server);
    return *server_;
  }

  Deliverer& deliverer(config::Environment extra = {}, DeliveryOptions options = fast_options()) {
    auto settings = testing::ingest_settings(server(), pki_.ca_file(), std::move(extra));
    auto sink = IngestSink::create(h_.io.get_executor(), settings, [](std::string_view) { return std::nullopt; });
    EXPECT_TRUE(sink.has_value()) << sink.error();
    return h_.make(std::move(sink).value(), options);
  }


 public:
  static DeliveryOptions fast_options() {
    DeliveryOptions options;
    options.limits.flush_interval = std::chrono::milliseconds(50);
    options.retry = RetryTiming{std::chrono::milliseconds(50), std::chrono::milliseconds(500),
                                std::chrono::seconds(1)};
    return options;
  }

 protected:

  // Pushes `n` events spread over `jobs` jobs, numbered from `first`.
  std::vector<std::string> push_events(Deliverer& d, int n, int jobs = 5, int first = 0) {
    std::vector<std::string> pushed;
    for (int i = first; i < first + n; ++i) {
      pushed.push_back(testing::sample_job_event("job-" + std::to_string(i % jobs), i));
      testing::push_sample(d, pushed.back());
    }
    return pushed;
  }

  // Both sides agree: the server accepted `n` events and the client has
  // handled the answers (so its counters and log are final).
  bool accepted_at_least(std::size_t n) {
    return h_.run_until([&] {
      return server().accepted_count() >= n && h_.counter("sluiced_events_delivered_total") >= n;
    });
  }

  // Runs the client for `d` (the scenario's timeline, not a synchronisation).
  void run_for(std::chrono::milliseconds d) {
    const auto end = Clock::now() + d;
    h_.run_until([&] { return Clock::now() >= end; }, d + std::chrono::seconds(5));
  }

  testing::TestPki pki_;
  std::optional<testing::TestIngestServer> server_;
  testing::DeliveryHarness h_;  // after the server: stops first
};

}  // namespace sluice::deliver
