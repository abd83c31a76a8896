#pragma once
// Subscriber: the event source. Keeps one pub/sub connection to the broker
// forever — connect, AUTH/SELECT, PSUBSCRIBE, read — and hands every
// message to a callback without ever waiting for later stages (Redis cuts
// off slow pub/sub readers, docs/celery-protocol.md §9). Reconnects with
// exponential backoff and full jitter (ReconnectPolicy: the backoff starts
// over only after a session that proved healthy); reports its state for
// /health. A reply over the size limits, or one that stays incomplete past
// reply_timeout, ends the connection like any other failure: logged
// (rate-limited), counted, retried.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "common/asio.hpp"
#include "common/duration.hpp"
#include "config/settings.hpp"
#include "observe/log.hpp"
#include "observe/metrics.hpp"
#include "redis/connect_options.hpp"
#include "redis/connection.hpp"
#include "redis/pubsub_push.hpp"
#include "source/link_status.hpp"
#include "source/reconnect_policy.hpp"
#include "source/redis_message.hpp"

namespace sluice::source {

struct SubscriberOptions {
  redis::ConnectOptions connect;
  std::vector<std::string> patterns;  // PSUBSCRIBE arguments
  Duration reconnect_min{100};
  Duration reconnect_max{5000};
  std::size_t max_message_bytes = 16 * 1024 * 1024;  // larger payloads are dropped and counted
  // After this much silence a PING is sent; after twice this much the
  // connection is taken for dead (a half-open TCP link never errors).
  Duration keepalive_interval{30'000};
  // A reply that has begun must be complete within this: a server that
  // trickles one byte at a time would otherwise hold the subscription forever.
  Duration reply_timeout{60'000};

  // Patterns from channel_names(settings).event_patterns.
  static SubscriberOptions from_settings(const config::Settings& settings);
};

class Subscriber {
 public:
  using MessageHandler = std::function<void(RedisMessage&&)>;  // must neither block nor throw
  using SubscribedHandler = std::function<void()>;

  Subscriber(asio::any_io_executor executor, SubscriberOptions options, observe::Logger& log,
             observe::Metrics& metrics, MessageHandler on_message, std::uint64_t seed);
  Subscriber(const Subscriber&) = delete;
  Subscriber& operator=(const Subscriber&) = delete;

  // Called on the io_context after every confirmed (re)subscription; the
  // control broadcaster hangs its enable_events/heartbeat here.
  void on_subscribed(SubscribedHandler handler) { on_subscribed_ = std::move(handler); }

  // Starts the loop on the executor. Call once.
  void start();
  // Stops reading Redis: no callback runs after this returns (when called on
  // the io_context thread). The loop then ends on its own; keep the object
  // alive until the io_context has run out of work. Safe from any thread.
  void stop();

  // A copy of the current state; safe from any thread.
  SubscriberState state() const;
  // True once the loop has ended after stop().
  bool finished() const;

 private:
  struct Shared;  // state read by /health and /metrics, shared with the metric callback

  // One loop of attempts; a failover retires it (it drains its session)
  // and starts the next one on the new master.
  asio::awaitable<void> run(std::uint64_t loop);
  void spawn_loop();
  // One connection's life: connect, subscribe, read until it ends; why it ended.
  asio::awaitable<redis::RedisError> attempt();
  asio::awaitable<redis::RedisError> session(redis::Connection connection);
  void on_failover(const config::RedisEndpoint& new_master);
  asio::awaitable<std::optional<redis::RedisError>> confirm_subscription(redis::Connection& connection);
  asio::awaitable<void> pause();
  void record_end(const redis::RedisError& ended);
  void handle(redis::PubSubPush&& push);
  void halt();
  void note(LinkStatus::Note note, const redis::RedisError* error = nullptr);
  void register_metrics(observe::Metrics& metrics);

  asio::any_io_executor executor_;
  SubscriberOptions options_;
  observe::Logger& log_;
  observe::Metrics& metrics_;
  MessageHandler on_message_;
  SubscribedHandler on_subscribed_;
  std::mt19937_64 rng_;
  ReconnectPolicy policy_;
  asio::steady_timer retry_timer_;
  std::optional<redis::Connection> connection_;  // the current one, for halt() to close
  std::shared_ptr<void> master_switch_;          // sentinel://: failovers are followed at once
  std::uint64_t loop_ = 0;                       // the current loop; older ones drain the old master
  std::optional<config::RedisEndpoint> session_node_;  // sentinel://: where the current session reads
  std::vector<redis::Connection> draining_;      // sessions on old masters, read until they end
  std::shared_ptr<Shared> shared_;
  bool stopping_ = false;
  observe::LogRateLimiter drop_log_limit_;
  observe::LogRateLimiter link_log_limit_;  // lost/resubscribed lines of a flapping link

  observe::Counter* received_ = nullptr;
  observe::Counter* dropped_too_large_ = nullptr;
  observe::Counter* reconnects_ = nullptr;
  observe::Gauge* connected_ = nullptr;
};

}  // namespace sluice::source
