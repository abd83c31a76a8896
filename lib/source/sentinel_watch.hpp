#pragma once
// SentinelWatch: listens for failovers on one sentinel at a time —
// SUBSCRIBE +switch-master — and tells the MasterLocator, whose switch
// closes every connection left on the old master (docs/architecture.md,
// "Redis Sentinel"). Each time it (re)connects it also asks that sentinel
// for the master, so a failover announced while no sentinel was watched is
// followed too. A sentinel that fails is left for the next one in the list,
// after a backoff. Exports the master in use and the failovers followed.

#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include "common/asio.hpp"
#include "common/backoff.hpp"
#include "common/duration.hpp"
#include "observe/log.hpp"
#include "observe/metrics.hpp"
#include "redis/connection.hpp"
#include "redis/master_locator.hpp"

namespace sluice::source {

struct SentinelWatchOptions {
  std::string target = "broker";  // metric label: whose master (broker, result_backend)
  Duration retry_min{100};
  Duration retry_max{5000};
  Duration keepalive_interval{10'000};  // a PING after this much silence; dead after twice as much
};

class SentinelWatch {
 public:
  SentinelWatch(asio::any_io_executor executor, std::shared_ptr<redis::MasterLocator> locator,
                SentinelWatchOptions options, observe::Logger& log, observe::Metrics& metrics, std::uint64_t seed);
  ~SentinelWatch();
  SentinelWatch(const SentinelWatch&) = delete;
  SentinelWatch& operator=(const SentinelWatch&) = delete;

  void start();
  // Safe from any thread; keep the object alive until the io_context is idle.
  void stop();

 private:
  asio::awaitable<void> run();
  // One sentinel: ask, subscribe, read announcements until the link ends; why it ended.
  asio::awaitable<redis::RedisError> watch(const config::RedisEndpoint& sentinel);
  asio::awaitable<std::optional<redis::RedisError>> subscribe(redis::Connection& connection);
  void announce(const config::RedisEndpoint& to, const std::string& how);
  void note_failure(const config::RedisEndpoint& sentinel, const redis::RedisError& error);
  void show_master(const redis::MasterStatus& status);

  asio::any_io_executor executor_;
  std::shared_ptr<redis::MasterLocator> locator_;
  SentinelWatchOptions options_;
  observe::Logger& log_;
  observe::Metrics& metrics_;
  std::mt19937_64 rng_;
  Backoff backoff_;
  asio::steady_timer retry_timer_;
  std::optional<redis::Connection> connection_;
  std::optional<std::string> shown_node_;  // label of the master series exported now
  std::string failing_;                    // the last failure logged; "" while watching
  bool stopping_ = false;
  observe::Counter* errors_ = nullptr;
};

}  // namespace sluice::source
