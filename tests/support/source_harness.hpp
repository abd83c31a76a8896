#pragma once
// SourceHarness: the event source wired as the daemon wires it — a
// Subscriber whose (re)subscriptions trigger the ControlBroadcaster, and
// worker-online messages trigger enable_events — running on an IoThread,
// recording every message for the test.

#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include "observe/log.hpp"
#include "observe/metrics.hpp"
#include "source/control_broadcaster.hpp"
#include "source/subscriber.hpp"
#include "support/io_thread.hpp"
#include "support/recorded_messages.hpp"

namespace sluice::testing {

// Test-sized timeouts and backoff (fast reconnects) for `url`.
source::SubscriberOptions test_subscriber_options(const config::RedisUrl& url,
                                                  std::vector<std::string> patterns = {"/0.celeryev/*", "/0.celeryev"});
source::BroadcastOptions test_broadcast_options(const config::RedisUrl& url, Duration interval = std::chrono::hours(1));

class SourceHarness {
 public:
  explicit SourceHarness(source::SubscriberOptions subscriber,
                         std::optional<source::BroadcastOptions> broadcaster = std::nullopt);
  ~SourceHarness();
  SourceHarness(const SourceHarness&) = delete;
  SourceHarness& operator=(const SourceHarness&) = delete;

  RecordedMessages& messages() { return messages_; }
  source::SubscriberState state() const { return subscriber_->state(); }
  source::Subscriber& subscriber() { return *subscriber_; }
  IoThread& io() { return io_; }

  bool wait_subscribed(std::uint64_t reconnects = 0, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // The Prometheus text, rendered on the io thread.
  std::string metrics();
  // Stops both stages and lets the loop drain; true when it did in time.
  bool stop();
  // Everything logged; call after stop().
  std::string log_text() const { return log_stream_.str(); }

 private:
  IoThread io_;
  std::ostringstream log_stream_;
  observe::Logger log_;
  observe::Metrics metrics_;
  RecordedMessages messages_;
  std::unique_ptr<source::ControlBroadcaster> broadcaster_;
  std::unique_ptr<source::Subscriber> subscriber_;
  bool stopped_ = false;
};

// The value of one series in Prometheus text ("name" or "name{labels}"); -1 if absent.
double metric_value(const std::string& text, const std::string& series);

}  // namespace sluice::testing
