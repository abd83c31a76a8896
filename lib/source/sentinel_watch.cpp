#include "source/sentinel_watch.hpp"

#include <exception>

#include "common/host_port.hpp"
#include "redis/pubsub_push.hpp"
#include "redis/sentinel_replies.hpp"
#include "source/keepalive.hpp"

namespace sluice::source {

using redis::RedisError;
using Level = observe::Level;

namespace {

constexpr std::string_view kSwitchChannel = "+switch-master";

std::string node_text(const config::RedisEndpoint& node) { return host_and_port(node.host, node.port); }

}  // namespace

SentinelWatch::SentinelWatch(asio::any_io_executor executor, std::shared_ptr<redis::MasterLocator> locator,
                             SentinelWatchOptions options, observe::Logger& log, observe::Metrics& metrics,
                             std::uint64_t seed)
    : executor_(executor),
      locator_(std::move(locator)),
      options_(std::move(options)),
      log_(log),
      metrics_(metrics),
      rng_(seed),
      backoff_(options_.retry_min, options_.retry_max),
      retry_timer_(executor) {
  const observe::Labels target{{"target", options_.target}};
  errors_ = &metrics.counter("sluiced_redis_sentinel_errors_total",
                             "Sentinel connections that failed or ended (sluiced moves on to the next sentinel)", target);
  metrics.counter_callback("sluiced_redis_master_failovers_total",
                           "Times sluiced followed the Redis master to another node (Sentinel)", target,
                           [locator = locator_] { return static_cast<double>(locator->status().failovers); });
  metrics.counter_callback("sluiced_redis_master_replicas_refused_total",
                           "Nodes a sentinel named master that ROLE showed were not (sluiced asked again)", target,
                           [locator = locator_] { return static_cast<double>(locator->status().replicas_refused); });
  locator_->on_change([this](const redis::MasterStatus& status) { show_master(status); });
}

SentinelWatch::~SentinelWatch() { locator_->on_change(nullptr); }

// One series, labelled with the node in use, replaced when it changes.
void SentinelWatch::show_master(const redis::MasterStatus& status) {
  if (!status.master) return;
  const std::string node = node_text(*status.master);
  if (shown_node_ == node) return;
  if (shown_node_) metrics_.remove("sluiced_redis_master", {{"target", options_.target}, {"node", *shown_node_}});
  metrics_.gauge("sluiced_redis_master", "The Redis master in use (Sentinel), as the node label; always 1",
                 {{"target", options_.target}, {"node", node}})
      .set(1);
  if (shown_node_) {
    log_.log(Level::info, "following the new redis master",
             {{"target", options_.target}, {"from", *shown_node_}, {"to", node},
              {"failovers", std::to_string(status.failovers)}});
  } else {
    log_.log(Level::info, "redis master found through sentinel", {{"target", options_.target}, {"master", node}});
  }
  shown_node_ = node;
}

void SentinelWatch::start() {
  asio::co_spawn(executor_, run(), [this](std::exception_ptr failure) {
    if (!failure) return;
    log_.log(Level::error, "sentinel watch failed (bug); stopping");
    std::rethrow_exception(failure);
  });
}

void SentinelWatch::stop() {
  asio::dispatch(executor_, [this] {
    stopping_ = true;
    retry_timer_.cancel();
    if (connection_) connection_->close();
  });
}

asio::awaitable<void> SentinelWatch::run() {
  const auto& sentinels = locator_->options().sentinels;
  std::size_t index = 0;
  while (!stopping_) {
    const auto sentinel = sentinels[index % sentinels.size()];
    const RedisError ended = co_await watch(sentinel);
    if (stopping_) break;
    note_failure(sentinel, ended);
    ++index;
    retry_timer_.expires_after(backoff_.next(rng_));
    boost::system::error_code ec;
    co_await retry_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  connection_.reset();
}

asio::awaitable<RedisError> SentinelWatch::watch(const config::RedisEndpoint& sentinel) {
  connection_.emplace(executor_, locator_->options().to_sentinel(sentinel));
  redis::Connection connection = *connection_;
  auto connected = co_await connection.connect();
  if (!connected) co_return connected.error();
  // Announcements made while no sentinel was watched are missed: its
  // answer now tells whether the master moved meanwhile.
  auto named = co_await locator_->ask(connection);
  if (!named) co_return named.error();
  const auto current = locator_->status().master;
  if (current && *current != *named) announce(*named, "sentinel names another master");
  if (auto refused = co_await subscribe(connection)) co_return *refused;
  backoff_.reset();
  if (!failing_.empty()) log_.log(Level::info, "watching for redis failovers again", {{"sentinel", node_text(sentinel)}});
  failing_.clear();
  const auto keepalive = Keepalive::start(executor_, connection, options_.keepalive_interval, 2 * options_.keepalive_interval);
  std::vector<redis::RedisReply> replies;
  for (;;) {
    replies.clear();
    auto received = co_await connection.receive_all(replies);
    if (!received) {
      keepalive->stop();
      if (keepalive->expired() || keepalive->stalled()) {
        co_return RedisError{RedisError::Kind::timeout, "the sentinel went silent (not even a PING reply)"};
      }
      co_return received.error();
    }
    for (auto& reply : replies) {
      const auto push = redis::parse_push(std::move(reply));
      if (push.kind != redis::PubSubPush::Kind::message || push.channel != kSwitchChannel) continue;
      if (auto to = redis::parse_switch_master(push.payload, locator_->options().master_name)) {
        announce(*to, "+switch-master");
      }
    }
  }
}

asio::awaitable<std::optional<RedisError>> SentinelWatch::subscribe(redis::Connection& connection) {
  redis::CommandArgs args{"SUBSCRIBE", std::string(kSwitchChannel)};
  auto sent = co_await connection.send(std::move(args));
  if (!sent) co_return sent.error();
  auto reply = co_await connection.receive(locator_->options().sentinel_connect.command_timeout);
  if (!reply) co_return reply.error();
  if (reply->is_error()) {
    connection.close();
    co_return redis::refused_by_server("SUBSCRIBE +switch-master", *reply->text(), "");
  }
  co_return std::nullopt;
}

void SentinelWatch::announce(const config::RedisEndpoint& to, const std::string& how) {
  log_.log(Level::info, "sentinel announced a redis failover",
           {{"target", options_.target}, {"master", node_text(to)}, {"how", how}});
  locator_->switched(to);
}

void SentinelWatch::note_failure(const config::RedisEndpoint& sentinel, const RedisError& error) {
  errors_->inc();
  if (failing_ == error.message) return;  // a sentinel that stays down is logged once
  failing_ = error.message;
  log_.log(Level::warn, "sentinel unavailable; trying the next one",
           {{"sentinel", node_text(sentinel)}, {"error", error.message}});
}

}  // namespace sluice::source
