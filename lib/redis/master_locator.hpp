#pragma once
// MasterLocator: where the master of a Sentinel-monitored Redis is now, for
// every connection sluiced opens to it (subscriber, queue poller, control
// broadcaster, result backend reader: all follow one master).
// Connection::connect asks it for the address — it asks the sentinels in
// turn, SENTINEL get-master-addr-by-name — checks the node with ROLE and
// reports what it found. When a sentinel announces a failover (the sentinel
// watch, source/sentinel_watch.hpp), switched() runs the handlers: each
// connection open to another node closes itself, so its user reconnects and
// lands on the new master, and users waiting to retry wake up.
// One per sentinel set, shared by its users; used on the io_context thread,
// except status(), which is safe from any thread.

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/asio.hpp"
#include "common/expected.hpp"
#include "config/settings.hpp"
#include "config/url.hpp"
#include "redis/connect_options.hpp"
#include "redis/redis_error.hpp"

namespace sluice::redis {

class Connection;

struct SentinelOptions {
  std::vector<config::RedisEndpoint> sentinels;
  std::string master_name;
  // How to reach a sentinel: its credentials and TLS (kombu's
  // sentinel_kwargs); host and port are set per sentinel.
  ConnectOptions sentinel_connect;
  bool master_tls = false;  // TLS to the master itself

  // For `url` (the broker's or the result backend's sentinel:// URL).
  static SentinelOptions from_settings(const config::Settings& settings, const config::RedisUrl& url);
  ConnectOptions to_sentinel(const config::RedisEndpoint& sentinel) const;
};

struct MasterStatus {
  std::optional<config::RedisEndpoint> master;  // the last node ROLE confirmed as master
  std::uint64_t failovers = 0;                  // times the confirmed master changed
  std::uint64_t replicas_refused = 0;           // nodes named master that were replicas
};

class MasterLocator {
 public:
  using SwitchHandler = std::function<void(const config::RedisEndpoint& new_master)>;
  using ChangeHandler = std::function<void(const MasterStatus&)>;

  explicit MasterLocator(SentinelOptions options) : options_(std::move(options)) {}
  MasterLocator(const MasterLocator&) = delete;
  MasterLocator& operator=(const MasterLocator&) = delete;

  const SentinelOptions& options() const { return options_; }

  // The master as the sentinels name it now; the first that answers wins
  // and is asked first next time. The error says why none did.
  asio::awaitable<Expected<config::RedisEndpoint, RedisError>> locate(asio::any_io_executor executor);
  // One sentinel's answer, on an open connection to it.
  asio::awaitable<Expected<config::RedisEndpoint, RedisError>> ask(Connection& sentinel) const;

  // The master the latest word names: the last answer locate() got, or a
  // later failover announcement. A node reached on an older answer is stale.
  std::optional<config::RedisEndpoint> expected() const { return expected_; }
  // ROLE said `node` is the master; a change from the last one is a failover followed.
  void confirmed(const config::RedisEndpoint& node);
  // ROLE said `node`, named master by a sentinel, is a replica (a failover in progress).
  void replica_found(const config::RedisEndpoint& node);
  // A sentinel announced `to` as the new master: the handlers run.
  void switched(const config::RedisEndpoint& to);

  // Runs on every switched(), as long as the returned token lives.
  [[nodiscard]] std::shared_ptr<void> on_switch(SwitchHandler handler);
  // Runs when the confirmed master changes (one handler: the metrics).
  void on_change(ChangeHandler handler) { on_change_ = std::move(handler); }

  MasterStatus status() const;

 private:
  SentinelOptions options_;
  std::size_t first_ = 0;  // the sentinel asked first
  std::optional<config::RedisEndpoint> expected_;
  std::vector<std::weak_ptr<SwitchHandler>> switch_handlers_;
  ChangeHandler on_change_;
  mutable std::mutex mutex_;
  MasterStatus status_;
};

}  // namespace sluice::redis
