#pragma once
// ControlBroadcaster: turns task events on in every worker, like Flower —
// PUBLISHes the pidbox broadcasts `enable_events` when EnableEventsSchedule
// says (fast while a new worker is not yet reached, else every
// enable_events_interval) and `heartbeat` (with the enable_events after each
// subscription, so workers report at once) (docs/celery-protocol.md). Uses
// its own connection: a subscribed one may not PUBLISH, and PUBLISH is the
// only command it sends. With enable_events=false it does nothing at all,
// so the daemon never writes to Redis.

#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "common/asio.hpp"
#include "common/backoff.hpp"
#include "common/duration.hpp"
#include "config/settings.hpp"
#include "observe/log.hpp"
#include "observe/metrics.hpp"
#include "redis/connect_options.hpp"
#include "redis/connection.hpp"
#include "source/enable_events_schedule.hpp"

namespace sluice::source {

struct BroadcastOptions {
  redis::ConnectOptions connect;
  bool enabled = true;
  std::string pidbox_channel;   // PUBLISH target, e.g. "/0.celery.pidbox"
  // Every PUBLISH target, pidbox_channel first: on Sentinel also kombu's
  // old literal "/{db}.celery.pidbox" (channel_names.hpp).
  std::vector<std::string> pidbox_channels;
  std::string pidbox_exchange;  // delivery_info.exchange, e.g. "celery.pidbox"
  EnableEventsTiming timing;    // timing.slow: SLUICE_ENABLE_EVENTS_INTERVAL
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
  void on_subscribed();  // enable_events + heartbeat, then the fast beat for a while
  // A worker started (worker-online, first heartbeat, restart): enable_events
  // on the fast beat until it is reached or has events on.
  void on_worker_appeared(std::string_view node);
  // Its task events (or its answer to a heartbeat broadcast) arrived.
  void on_worker_has_events(std::string_view node) { schedule_.worker_has_events(node); }
  void on_worker_left(std::string_view node) { schedule_.worker_left(node); }

  bool enabled() const { return options_.enabled; }

  // Set before start(). The hook runs on each new connection before it is
  // used; `published` each time Redis took an enable_events broadcast (the
  // stream diagnostics date their evidence by it).
  void on_connected(redis::ConnectedHook hook) { on_connected_ = std::move(hook); }
  void on_enable_events_published(std::function<void()> published) { on_enable_published_ = std::move(published); }
  // A PUBLISH's receiver count covered this new worker: the broadcast reached it.
  void on_worker_reached(std::function<void(const std::string&)> reached) { on_reached_ = std::move(reached); }

 private:
  asio::awaitable<void> run();
  asio::awaitable<bool> publish_due();
  asio::awaitable<Expected<std::vector<redis::RedisReply>, redis::RedisError>> publish(
      const std::vector<std::string>& methods);
  asio::awaitable<Expected<redis::Connection::Done, redis::RedisError>> ensure_connected();
  asio::awaitable<void> wait_until(std::chrono::steady_clock::time_point deadline, bool interruptible);
  void wake();
  void note_failure(const std::string& error);
  void note_success(const std::string& method, std::int64_t receivers);
  void note_enable_events(std::int64_t receivers);

  asio::any_io_executor executor_;
  BroadcastOptions options_;
  observe::Logger& log_;
  observe::Metrics& metrics_;
  std::mt19937_64 rng_;
  Backoff backoff_;
  asio::steady_timer wake_timer_;
  std::optional<redis::Connection> connection_;
  std::shared_ptr<void> master_switch_;  // sentinel://: a failover ends a retry delay
  redis::ConnectedHook on_connected_;
  std::function<void()> on_enable_published_;
  std::function<void(const std::string&)> on_reached_;
  EnableEventsSchedule schedule_;
  bool want_heartbeat_ = false;
  bool interruptible_ = false;  // the loop waits for a trigger, not for a retry delay
  bool stopping_ = false;
  bool failing_ = false;
  bool announced_ = false;  // the first success is logged at info, later ones at debug
  std::int64_t clock_ = 0;
  std::optional<std::int64_t> logged_receivers_;  // publishes are logged when the count moves
  observe::Counter* errors_ = nullptr;
  observe::Counter* unreached_ = nullptr;
};

}  // namespace sluice::source
