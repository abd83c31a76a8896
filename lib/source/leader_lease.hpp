#pragma once
// LeaderLease: leadership of an HA pair as a lease in the broker itself —
// one key holding the holder's instance id, with a TTL. Each instance runs
// one claim script every third of the lease: it sets the key when it is
// free (SET … PX, as SET NX would) and renews it when it holds our id, and
// otherwise answers how long the other holder's lease has left, so a
// standby tries again the moment it runs out. Release deletes the key only
// while it still holds our id. Read-then-write happens inside one script,
// so no other instance can slip in between. It holds a Redis connection of
// its own (EVAL is the only command it sends); with a sentinel:// broker
// that connection follows the master like every other (`connect.master`):
// a failover, a replica or a refused (-READONLY) claim closes it and the
// next claim asks the sentinels again. The key itself reaches the new master
// only by replication; README "High availability" says what a failover
// does to leadership.
//
// Whether this process may send is decided on the local steady clock, not
// by the last reply: a claim that succeeded makes the lease valid until
// the moment the claim was *sent* plus the lease minus a safety margin (the
// key's TTL started later than that, on Redis' clock). A process that was
// paused past that moment (SIGSTOP, a frozen VM) finds itself without a
// lease the instant it wakes, before any reply could tell it so.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "common/asio.hpp"
#include "common/duration.hpp"
#include "common/expected.hpp"
#include "config/settings.hpp"
#include "observe/log.hpp"
#include "observe/metrics.hpp"
#include "redis/connect_options.hpp"
#include "redis/connection.hpp"

namespace sluice::source {

struct LeaseOptions {
  redis::ConnectOptions connect;
  std::string key;          // "sluiced:leader:<connection id>" under the global key prefix
  std::string instance_id;  // unique per process
  Duration lease{10'000};

  Duration renew_every() const { return lease / 3; }
  // Covers clock rate differences between this host and Redis'.
  Duration margin() const { return lease / 10; }

  static LeaseOptions from_settings(const config::Settings& settings, std::string instance_id);
};

// The lease key of a connection: one leader per Sluice connection.
std::string lease_key(std::string_view global_keyprefix, std::string_view connection_id);

// The steady-clock moment until which this process holds the lease; read
// from any thread (the delivery thread checks it before every request).
class LeaseDeadline {
 public:
  using Clock = std::chrono::steady_clock;

  bool holds(Clock::time_point now) const {
    const auto until = until_.load(std::memory_order_acquire);
    return until != kNone && now.time_since_epoch().count() < until;
  }
  void set(Clock::time_point until) { until_.store(until.time_since_epoch().count(), std::memory_order_release); }
  void clear() { until_.store(kNone, std::memory_order_release); }

 private:
  static constexpr Clock::rep kNone = 0;
  std::atomic<Clock::rep> until_{kNone};
};

enum class LeaseRole : std::uint8_t { standby, leader };
const char* to_string(LeaseRole role);

class LeaderLease {
 public:
  using Clock = std::chrono::steady_clock;
  // became_leader: a claim succeeded while this process was not leading.
  // lost: another instance holds the lease while this one was leading.
  struct Handlers {
    std::function<void()> became_leader;
    std::function<void()> lost;
  };

  LeaderLease(asio::any_io_executor executor, LeaseOptions options, observe::Logger& log, observe::Metrics& metrics,
              Handlers handlers);
  LeaderLease(const LeaderLease&) = delete;
  LeaderLease& operator=(const LeaderLease&) = delete;

  void start();
  // Ends the loop; the key is left to expire (release() gives it up at once).
  void stop();
  // Deletes the key if it still holds our id, so a standby takes over
  // without waiting for the TTL (graceful shutdown). Call after stop().
  asio::awaitable<void> release();

  LeaseRole role() const { return role_; }
  bool holds(Clock::time_point now) const { return deadline_.holds(now); }
  const LeaseDeadline& deadline() const { return deadline_; }
  const LeaseOptions& options() const { return options_; }

 private:
  // 0: held by us now; > 0: milliseconds until the other holder's lease ends.
  asio::awaitable<Expected<std::int64_t, std::string>> claim();
  asio::awaitable<Expected<redis::Connection, std::string>> open();
  // `connection` is a handle (copies share it).
  asio::awaitable<Expected<redis::RedisReply, std::string>> eval(redis::Connection connection, std::string script,
                                                                 std::vector<std::string> args);
  asio::awaitable<void> run();
  Clock::time_point next_attempt(const Expected<std::int64_t, std::string>& outcome, Clock::time_point sent_at);
  void lose(const char* why);
  void note_error(const std::string& error);

  asio::any_io_executor executor_;
  LeaseOptions options_;
  observe::Logger& log_;
  Handlers handlers_;
  asio::steady_timer timer_;
  std::optional<redis::Connection> connection_;
  LeaseDeadline deadline_;
  LeaseRole role_ = LeaseRole::standby;
  std::string error_state_;  // the last error, logged once per change; "" while claims succeed
  bool stopping_ = false;
  observe::Counter* errors_ = nullptr;
  observe::Counter* takeovers_ = nullptr;
};

}  // namespace sluice::source
