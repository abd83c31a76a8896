#pragma once
// ControlBroadcaster: turns task events on in every worker, like Flower —
// PUBLISHes the pidbox broadcasts `enable_events` (after each subscription,
// every enable_events_interval, and when a worker comes online) and
// `heartbeat` (after each subscription, so workers report at once)
// (protocol/celery-events.md §7). Uses its own connection: a subscribed one
// may not PUBLISH. With enable_events=false it does nothing at all, so the
// daemon never writes to Redis.

#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "common/asio.hpp"
#include "common/backoff.hpp"
#include "common/duration.hpp"
#include "config/settings.hpp"
#include "observe/log.hpp"
#include "observe/metrics.hpp"
#include "redis/connect_options.hpp"
#include "redis/connection.hpp"

namespace sluice::source {

struct BroadcastOptions {
  redis::ConnectOptions connect;
  bool enabled = true;
  std::string pidbox_channel;   // PUBLISH target, e.g. "/0.celery.pidbox"
  std::string pidbox_exchange;  // delivery_info.exchange, e.g. "celery.pidbox"
  Duration interval{10'000};    // enable_events repeat period
  Duration retry_min{100};
  Duration retry_max{5000};

  static BroadcastOptions from_settings(const config::Settings& settings);
};

class ControlBroadcaster {
 public:
  ControlBroadcaster(asio::any_io_executor executor, BroadcastOptions options, observe::Logger& log,
                     observe::Metrics& metrics, std::uint64_t seed);
  ControlBroadcaster(const ControlBroadcaster&) = delete;
  ControlBroadcaster& operator=(const ControlBroadcaster&) = delete;

  void start();  // no-op when disabled
  void stop();   // safe from any thread; keep the object alive until the io_context is idle

  // Triggers; bursts coalesce into one broadcast. Call on the io_context.
  void on_subscribed();     // enable_events + heartbeat
  void on_worker_online();  // enable_events

  bool enabled() const { return options_.enabled; }

  // Set before start(). The hook runs on each new connection before it is
  // used; `published` each time Redis took an enable_events broadcast (the
  // stream diagnostics date their evidence by it).
  void on_connected(redis::ConnectedHook hook) { on_connected_ = std::move(hook); }
  void on_enable_events_published(std::function<void()> published) { on_enable_published_ = std::move(published); }

 private:
  asio::awaitable<void> run();
  asio::awaitable<bool> publish_pending();
  asio::awaitable<Expected<std::vector<redis::RedisReply>, redis::RedisError>> publish(
      const std::vector<std::string>& methods);
  asio::awaitable<Expected<redis::Connection::Done, redis::RedisError>> ensure_connected();
  asio::awaitable<void> wait_until(std::chrono::steady_clock::time_point deadline, bool interruptible);
  void wake();
  void note_failure(const std::string& error);
  void note_success(const std::string& method, std::int64_t receivers);

  asio::any_io_executor executor_;
  BroadcastOptions options_;
  observe::Logger& log_;
  observe::Metrics& metrics_;
  std::mt19937_64 rng_;
  Backoff backoff_;
  asio::steady_timer wake_timer_;
  std::optional<redis::Connection> connection_;
  redis::ConnectedHook on_connected_;
  std::function<void()> on_enable_published_;
  std::chrono::steady_clock::time_point next_periodic_{};
  bool want_enable_ = false;
  bool want_heartbeat_ = false;
  bool interruptible_ = false;  // the loop waits for a trigger, not for a retry delay
  bool stopping_ = false;
  bool failing_ = false;
  bool announced_ = false;  // the first success is logged at info, later ones at debug
  std::int64_t clock_ = 0;
  observe::Counter* errors_ = nullptr;
};

}  // namespace sluice::source
