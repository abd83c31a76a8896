#include "support/source_harness.hpp"

#include <sstream>

#include "support/kombu_envelope.hpp"
#include "support/wait_until.hpp"

namespace sluice::testing {

using namespace std::chrono_literals;

source::SubscriberOptions test_subscriber_options(const config::RedisUrl& url, std::vector<std::string> patterns) {
  source::SubscriberOptions o;
  o.connect.url = url;
  o.connect.connect_timeout = 1s;
  o.connect.command_timeout = 1s;
  o.connect.client_name = "sluiced-events";
  o.patterns = std::move(patterns);
  o.reconnect_min = 20ms;
  o.reconnect_max = 200ms;
  return o;
}

source::BroadcastOptions test_broadcast_options(const config::RedisUrl& url, Duration interval) {
  source::BroadcastOptions o;
  o.connect.url = url;
  o.connect.connect_timeout = 1s;
  o.connect.command_timeout = 1s;
  o.connect.client_name = "sluiced-control";
  o.pidbox_channel = "/" + std::to_string(url.db) + ".celery.pidbox";
  o.pidbox_exchange = "celery.pidbox";
  o.timing.slow = interval;
  o.retry_min = 20ms;
  o.retry_max = 200ms;
  return o;
}

SourceHarness::SourceHarness(source::SubscriberOptions subscriber, std::optional<source::BroadcastOptions> broadcaster)
    : log_(log_stream_, observe::Level::debug, observe::Format::text) {
  log_.add_secret(subscriber.connect.url.password);
  if (broadcaster) {
    broadcaster_ = std::make_unique<source::ControlBroadcaster>(io_.executor(), *broadcaster, log_, metrics_, 7);
  }
  auto record = messages_.handler();
  auto* control = broadcaster_.get();
  subscriber_ = std::make_unique<source::Subscriber>(
      io_.executor(), std::move(subscriber), log_, metrics_,
      [record, control](source::RedisMessage&& m) {
        // The daemon reacts to a decoded worker-online; the envelope's routing key is enough here.
        if (control && routing_key_of(m.payload) == "worker.online") control->on_worker_appeared("worker@harness");
        record(std::move(m));
      },
      42);
  if (control) subscriber_->on_subscribed([control] { control->on_subscribed(); });
  io_.call([this] {
    metrics_.adopt_current_thread();  // built here, used on the loop from now on
    if (broadcaster_) broadcaster_->start();
    subscriber_->start();
  });
}

SourceHarness::~SourceHarness() { stop(); }

bool SourceHarness::wait_subscribed(std::uint64_t reconnects, std::chrono::milliseconds timeout) {
  return wait_until(
      [&] {
        const auto s = state();
        return s.subscribed && s.reconnects >= reconnects;
      },
      timeout);
}

std::string SourceHarness::metrics() {
  std::string text;
  io_.call([&] { text = metrics_.render(); });
  return text;
}

bool SourceHarness::stop() {
  if (stopped_) return true;
  stopped_ = true;
  subscriber_->stop();
  if (broadcaster_) broadcaster_->stop();
  return io_.finish();
}

double metric_value(const std::string& text, const std::string& series) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  }
  return -1;
}

}  // namespace sluice::testing
