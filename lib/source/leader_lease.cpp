#include "source/leader_lease.hpp"

#include <algorithm>

namespace sluice::source {
namespace {

using Level = observe::Level;

// KEYS[1] the lease key, ARGV[1] our instance id, ARGV[2] the lease in ms.
// Free or ours: (re)set it with a fresh TTL and answer 0. Someone else's:
// answer the milliseconds left (1 when the key has no TTL, so the caller
// simply tries again later).
constexpr const char* kClaimScript = R"lua(
local holder = redis.call('GET', KEYS[1])
if holder == false or holder == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 0
end
local left = redis.call('PTTL', KEYS[1])
if left < 1 then return 1 end
return left
)lua";

constexpr const char* kReleaseScript = R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
)lua";

}  // namespace

const char* to_string(LeaseRole role) { return role == LeaseRole::leader ? "leader" : "standby"; }

std::string lease_key(std::string_view global_keyprefix, std::string_view connection_id) {
  return std::string(global_keyprefix) + "sluiced:leader:" + std::string(connection_id);
}

LeaseOptions LeaseOptions::from_settings(const config::Settings& settings, std::string instance_id) {
  LeaseOptions out;
  out.connect = redis::ConnectOptions::from_settings(settings);
  out.connect.client_name = "sluiced-lease";
  out.key = lease_key(settings.global_keyprefix, settings.connection_id);
  out.instance_id = std::move(instance_id);
  out.lease = settings.ha_lease;
  return out;
}

LeaderLease::LeaderLease(asio::any_io_executor executor, LeaseOptions options, observe::Logger& log,
                         observe::Metrics& metrics, Handlers handlers)
    : executor_(executor),
      options_(std::move(options)),
      log_(log),
      handlers_(std::move(handlers)),
      timer_(executor) {
  errors_ = &metrics.counter("sluiced_ha_lease_errors_total",
                             "Lease claims or renewals that failed (Redis unreachable or refused)");
  takeovers_ = &metrics.counter("sluiced_ha_takeovers_total", "Times this instance became the leader");
  for (const LeaseRole role : {LeaseRole::leader, LeaseRole::standby}) {
    metrics.gauge_callback("sluiced_ha_role", "1 for this instance's role in the HA pair (leader or standby)",
                           {{"role", to_string(role)}}, [this, role] {
                             return role_ == role ? 1.0 : 0.0;
                           });
  }
}

void LeaderLease::start() {
  asio::co_spawn(executor_, run(), [this](std::exception_ptr failure) {
    if (!failure) return;
    log_.log(Level::error, "leader lease failed (bug); stopping");
    std::rethrow_exception(failure);
  });
}

void LeaderLease::stop() {
  asio::dispatch(executor_, [this] {
    stopping_ = true;
    timer_.cancel();
  });
}

asio::awaitable<void> LeaderLease::release() {
  const bool was_leader = role_ == LeaseRole::leader;
  deadline_.clear();
  role_ = LeaseRole::standby;
  if (!was_leader) co_return;
  // A connection of its own: the loop's may still be finishing a claim.
  std::string error;
  if (auto connection = co_await open(); !connection) {
    error = connection.error();
  } else {
    auto reply = co_await eval(*connection, kReleaseScript, std::vector<std::string>{});
    connection->close();
    if (!reply) error = reply.error();
  }
  if (error.empty()) {
    log_.log(Level::info, "leader lease released", {{"key", options_.key}});
  } else {
    log_.log(Level::warn, "could not release the leader lease; it expires by itself",
             {{"key", options_.key}, {"error", error}});
  }
}

asio::awaitable<void> LeaderLease::run() {
  bool warned_lapse = false;
  while (!stopping_) {
    const auto sent_at = Clock::now();
    const auto outcome = co_await claim();
    if (stopping_) break;
    timer_.expires_at(next_attempt(outcome, sent_at));
    boost::system::error_code ec;
    co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    // Renewals failed until the lease ran out: nothing is sent from now on
    // (the deadline says so); the next claim tells whether another
    // instance took over or the lease is still ours to renew.
    const bool lapsed = role_ == LeaseRole::leader && !holds(Clock::now());
    if (lapsed && !warned_lapse) {
      log_.log(Level::warn, "leader lease not renewed in time; sending nothing until it is",
               {{"key", options_.key}});
    }
    warned_lapse = lapsed;
  }
  if (connection_) connection_->close();
}

LeaderLease::Clock::time_point LeaderLease::next_attempt(const Expected<std::int64_t, std::string>& outcome,
                                                           Clock::time_point sent_at) {
  const auto now = Clock::now();
  if (!outcome) {
    note_error(outcome.error());
    // Retry soon, and wake up when the lease runs out (the warning above).
    const auto retry = now + std::max(options_.renew_every() / 3, Duration{50});
    return role_ == LeaseRole::leader ? std::min(retry, sent_at + options_.lease - options_.margin()) : retry;
  }
  if (!error_state_.empty()) {
    log_.log(Level::info, "leader lease reachable again", {{"key", options_.key}});
    error_state_.clear();
  }
  if (*outcome == 0) {
    // Taken over, or held again after renewals failed past the deadline:
    // either way, events kept meanwhile have not been sent.
    const bool lapsed = role_ != LeaseRole::leader || !deadline_.holds(now);
    deadline_.set(sent_at + options_.lease - options_.margin());
    if (lapsed) {
      role_ = LeaseRole::leader;
      takeovers_->inc();
      log_.log(Level::info, "became the leader: sending events",
               {{"instance", options_.instance_id}, {"key", options_.key}});
      if (handlers_.became_leader) handlers_.became_leader();
    }
    return sent_at + options_.renew_every();
  }
  if (role_ == LeaseRole::leader) lose("another instance holds the lease");
  // The other holder's lease ends in `outcome` ms: try right then.
  const Duration left{*outcome};
  return now + std::min(left + Duration{1}, options_.renew_every());
}

void LeaderLease::lose(const char* why) {
  deadline_.clear();
  role_ = LeaseRole::standby;
  log_.log(Level::warn, "lost the leader lease: sending nothing", {{"key", options_.key}, {"reason", why}});
  if (handlers_.lost) handlers_.lost();
}

void LeaderLease::note_error(const std::string& error) {
  errors_->inc();
  if (error == error_state_) return;
  error_state_ = error;
  log_.log(Level::warn, "leader lease claim failed; retrying",
           {{"key", options_.key}, {"role", to_string(role_)}, {"error", error}});
}

asio::awaitable<Expected<std::int64_t, std::string>> LeaderLease::claim() {
  if (!connection_ || !connection_->is_open()) {
    auto opened = co_await open();
    if (!opened) co_return Unexpected(opened.error());
    connection_.emplace(std::move(*opened));
  }
  // A named vector: GCC 12 cannot keep a braced list's array across co_await.
  std::vector<std::string> args{std::to_string(options_.lease.count())};
  auto reply = co_await eval(*connection_, kClaimScript, std::move(args));
  if (!reply) {
    connection_.reset();
    co_return Unexpected(reply.error());
  }
  const auto left = reply->as_integer();
  if (!left || *left < 0) co_return Unexpected(std::string("unexpected answer to the claim script"));
  co_return *left;
}

namespace {
std::string describe(const redis::RedisError& error) { return std::string(to_string(error.kind)) + ": " + error.message; }
}  // namespace

asio::awaitable<Expected<redis::Connection, std::string>> LeaderLease::open() {
  auto opened = co_await redis::Connection::open(executor_, options_.connect);
  if (!opened) co_return Unexpected(describe(opened.error()));
  co_return std::move(*opened);
}

asio::awaitable<Expected<redis::RedisReply, std::string>> LeaderLease::eval(redis::Connection connection,
                                                                             std::string script,
                                                                             std::vector<std::string> args) {
  redis::CommandArgs command = {"EVAL", std::move(script), "1", options_.key, options_.instance_id};
  command.insert(command.end(), args.begin(), args.end());
  auto reply = co_await connection.command(std::move(command));
  if (!reply) co_return Unexpected(describe(reply.error()));
  if (reply->is_error()) co_return Unexpected("refused: " + *reply->text());
  co_return std::move(*reply);
}

}  // namespace sluice::source
