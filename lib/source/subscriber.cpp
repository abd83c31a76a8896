#include "source/subscriber.hpp"

#include <exception>
#include <mutex>

#include "source/channel_names.hpp"
#include "common/host_port.hpp"
#include "redis/master_locator.hpp"
#include "redis/stream.hpp"
#include "source/keepalive.hpp"

namespace sluice::source {

using redis::RedisError;
using Level = observe::Level;

struct Subscriber::Shared {
  explicit Shared(SteadyClock::time_point now) : status(now) {}
  mutable std::mutex mutex;
  LinkStatus status;
  bool finished = false;
};

SubscriberOptions SubscriberOptions::from_settings(const config::Settings& settings) {
  SubscriberOptions out;
  out.connect = redis::ConnectOptions::from_settings(settings);
  out.connect.client_name = "sluiced-events";
  out.connect.outlives_failover = true;  // drained, see on_failover()
  out.patterns = channel_names(settings).event_patterns;
  out.reconnect_min = settings.reconnect_min;
  out.reconnect_max = settings.reconnect_max;
  out.max_message_bytes = settings.max_message_bytes;
  return out;
}

Subscriber::Subscriber(asio::any_io_executor executor, SubscriberOptions options, observe::Logger& log,
                       observe::Metrics& metrics, MessageHandler on_message, std::uint64_t seed)
    : executor_(executor),
      options_(std::move(options)),
      log_(log),
      metrics_(metrics),
      on_message_(std::move(on_message)),
      rng_(seed),
      policy_(options_.reconnect_min, options_.reconnect_max),
      retry_timer_(executor),
      shared_(std::make_shared<Shared>(SteadyClock::now())),
      drop_log_limit_(std::chrono::minutes(1)),
      link_log_limit_(std::chrono::minutes(1)) {
  register_metrics(metrics);
  // The new master is known now: waiting out the backoff would only
  // prolong the gap in events.
  if (options_.connect.master) {
    master_switch_ =
        options_.connect.master->on_switch([this](const config::RedisEndpoint& to) { on_failover(to); });
  }
}

// Workers move to the new master only when their connection breaks: on a
// SENTINEL FAILOVER the old master keeps serving them until the sentinels
// turn it into a replica (and drop its clients), up to ~10 s later. So the
// session on the old master is kept and read until it ends, while a new
// loop subscribes on the new master at once: events published on either
// node arrive. (A message is published on one node; the old one is no
// replica while the drained session lasts, so nothing arrives twice.)
void Subscriber::on_failover(const config::RedisEndpoint& new_master) {
  retry_timer_.cancel();  // a loop waiting to reconnect tries again now
  if (stopping_ || !session_node_ || *session_node_ == new_master || !connection_) return;
  draining_.push_back(*connection_);
  log_.log(Level::info, "redis master moved; subscribing there, reading the old one until it closes",
           {{"old", redis::Stream::describe(connection_->options().url)},
            {"new", host_and_port(new_master.host, new_master.port)}});
  record_end(RedisError{RedisError::Kind::closed, "a sentinel announced a new master"});
  spawn_loop();
}

void Subscriber::register_metrics(observe::Metrics& m) {
  received_ = &m.counter("sluiced_redis_messages_received_total", "Pub/sub messages received from Redis");
  dropped_too_large_ = &m.counter("sluiced_redis_messages_dropped_total",
                                  "Pub/sub messages dropped by the source", {{"reason", "too_large"}});
  reconnects_ = &m.counter("sluiced_redis_reconnects_total",
                           "Event subscriptions regained after the Redis connection was lost");
  connected_ = &m.gauge("sluiced_redis_connected", "1 while the event subscription on Redis is confirmed");
  // Read at scrape time: it grows while disconnected, between state changes.
  m.counter_callback("sluiced_redis_disconnected_seconds_total",
                   "Seconds without a confirmed event subscription since start", {}, [shared = shared_] {
                     const std::lock_guard lock(shared->mutex);
                     return shared->status.disconnected_seconds(SteadyClock::now());
                   });
}

void Subscriber::start() { spawn_loop(); }

void Subscriber::spawn_loop() {
  asio::co_spawn(executor_, run(++loop_), [this](std::exception_ptr failure) {
    if (!failure) return;
    log_.log(Level::error, "redis subscriber failed (bug); stopping");
    std::rethrow_exception(failure);  // a bug, not a broker condition: let the daemon exit
  });
}

void Subscriber::stop() {
  asio::dispatch(executor_, [this] { halt(); });
}

void Subscriber::halt() {
  stopping_ = true;
  retry_timer_.cancel();
  if (connection_) connection_->close();
  for (auto& old : draining_) old.close();
}

SubscriberState Subscriber::state() const {
  const std::lock_guard lock(shared_->mutex);
  return shared_->status.state();
}

bool Subscriber::finished() const {
  const std::lock_guard lock(shared_->mutex);
  return shared_->finished;
}

asio::awaitable<void> Subscriber::run(std::uint64_t loop) {
  while (!stopping_) {
    const RedisError ended = co_await attempt();
    if (loop != loop_) {  // retired by a failover: its drained session has ended
      std::erase_if(draining_, [](const redis::Connection& old) { return !old.is_open(); });
      if (!stopping_) log_.log(Level::info, "the old redis master's subscription ended", {{"error", ended.message}});
      co_return;
    }
    if (stopping_) break;
    record_end(ended);
    co_await pause();
  }
  connected_->set(0);
  {
    const std::lock_guard lock(shared_->mutex);
    shared_->finished = true;
  }
  log_.log(Level::info, "redis subscriber stopped");
}

asio::awaitable<RedisError> Subscriber::attempt() {
  connection_.emplace(executor_, options_.connect);
  redis::Connection connection = *connection_;  // our own handle; halt() closes the shared one
  auto connected = co_await connection.connect();
  if (!connected) co_return connected.error();
  {
    const std::lock_guard lock(shared_->mutex);
    note(shared_->status.connected(SteadyClock::now()));
  }
  co_return co_await session(connection);
}

void Subscriber::record_end(const RedisError& ended) {
  connection_.reset();
  session_node_.reset();
  connected_->set(0);
  const std::lock_guard lock(shared_->mutex);
  auto& status = shared_->status;
  const std::string kind(redis::to_string(ended.kind));
  if (status.state().subscribed) {
    metrics_
        .counter("sluiced_redis_disconnects_total",
                 "Confirmed event subscriptions that ended, by kind of error (too_large: a reply over the size "
                 "limits; timeout: silence, or a reply that stayed incomplete)",
                 {{"kind", kind}})
        .inc();
    note(status.lost(SteadyClock::now(), ended), &ended);
    return;
  }
  metrics_
      .counter("sluiced_redis_connect_errors_total", "Failed attempts to connect and subscribe to Redis",
               {{"kind", kind}})
      .inc();
  note(status.attempt_failed(SteadyClock::now(), ended), &ended);
}

asio::awaitable<void> Subscriber::pause() {
  const auto delay = policy_.next_delay(SteadyClock::now(), rng_);
  log_.log(Level::debug, "redis reconnect scheduled",
           {{"delay_ms", std::to_string(delay.count())}, {"ceiling_ms", std::to_string(policy_.last_ceiling().count())}});
  retry_timer_.expires_after(delay);
  boost::system::error_code ec;
  co_await retry_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

asio::awaitable<RedisError> Subscriber::session(redis::Connection connection) {
  auto refused = co_await confirm_subscription(connection);
  if (refused) co_return *refused;
  if (options_.connect.master) {
    const auto& url = connection.options().url;
    session_node_ = config::RedisEndpoint{url.host, url.port};
  }
  {
    const std::lock_guard lock(shared_->mutex);
    const auto change = shared_->status.subscribed(SteadyClock::now());
    if (change == LinkStatus::Note::resubscribed) reconnects_->inc();
    note(change);
  }
  connected_->set(1);
  policy_.subscribed(SteadyClock::now());
  if (on_subscribed_ && !stopping_) on_subscribed_();
  const auto keepalive =
      Keepalive::start(executor_, connection, options_.keepalive_interval, options_.reply_timeout);
  std::vector<redis::RedisReply> replies;  // reused: its capacity outlives each read
  for (;;) {
    replies.clear();
    auto received = co_await connection.receive_all(replies);
    if (!received) {
      keepalive->stop();
      if (keepalive->stalled()) {
        co_return RedisError{RedisError::Kind::timeout, "a reply from Redis stayed incomplete for more than " +
                                                            std::to_string(options_.reply_timeout.count()) + "ms"};
      }
      if (!keepalive->expired()) co_return received.error();
      co_return RedisError{RedisError::Kind::timeout, "no data from Redis (not even a PING reply) for " +
                                                          std::to_string(2 * options_.keepalive_interval.count()) +
                                                          "ms"};
    }
    for (auto& reply : replies) handle(redis::parse_push(std::move(reply)));
  }
}

asio::awaitable<std::optional<RedisError>> Subscriber::confirm_subscription(redis::Connection& connection) {
  redis::CommandArgs args{"PSUBSCRIBE"};
  args.insert(args.end(), options_.patterns.begin(), options_.patterns.end());
  auto sent = co_await connection.send(std::move(args));
  if (!sent) co_return sent.error();
  std::size_t confirmed = 0;
  while (confirmed < options_.patterns.size()) {
    auto reply = co_await connection.receive(options_.connect.command_timeout);
    if (!reply) co_return reply.error();
    if (const auto* refused = std::get_if<redis::RedisReply::Error>(&reply->value)) {
      connection.close();  // e.g. an ACL user without access to the channels: NOPERM
      auto error = redis::refused_by_server("PSUBSCRIBE", refused->text, "");
      error.message = redis::redact_secret(std::move(error.message), options_.connect.url.password);
      co_return error;
    }
    auto push = redis::parse_push(std::move(*reply));
    if (push.kind == redis::PubSubPush::Kind::subscribed) {
      ++confirmed;
    } else {
      handle(std::move(push));  // a message for an already confirmed pattern
    }
  }
  co_return std::nullopt;
}

void Subscriber::handle(redis::PubSubPush&& push) {
  if (push.kind != redis::PubSubPush::Kind::message || stopping_) return;  // pong, confirmations
  received_->inc();
  policy_.message_received();
  if (push.payload.size() > options_.max_message_bytes) {
    dropped_too_large_->inc();
    std::uint64_t suppressed = 0;
    if (drop_log_limit_.allow("too_large", observe::LogRateLimiter::Clock::now(), suppressed)) {
      log_.log(Level::warn, "dropped a pub/sub message larger than max-message-bytes",
               {{"channel", push.channel}, {"bytes", std::to_string(push.payload.size())},
                {"suppressed", std::to_string(suppressed)}});
    }
    return;
  }
  on_message_(RedisMessage{std::move(push.pattern), std::move(push.channel), std::move(push.payload)});
}

void Subscriber::note(LinkStatus::Note note, const RedisError* ended) {
  // The node itself once connected (with sentinel:// the URL names only the sentinels).
  const std::string where = redis::Stream::describe(connection_ ? connection_->options().url : options_.connect.url);
  const std::string error = ended ? ended->message : std::string();
  // A link that flaps (a server that drops every subscription at once) must
  // not write two lines per reconnect: one per minute and kind, with a count.
  std::uint64_t suppressed = 0;
  const auto limited = [&](const std::string& key) {
    return !link_log_limit_.allow(key, observe::LogRateLimiter::Clock::now(), suppressed);
  };
  switch (note) {
    case LinkStatus::Note::quiet: return;
    case LinkStatus::Note::connected:
      log_.log(Level::debug, "redis connected", {{"redis", where}});
      return;
    case LinkStatus::Note::subscribed:
    case LinkStatus::Note::resubscribed: {
      if (note == LinkStatus::Note::resubscribed && limited("resubscribed")) return;
      std::string patterns;
      for (const auto& p : options_.patterns) patterns += (patterns.empty() ? "" : " ") + p;
      std::vector<observe::Field> fields{{"redis", where}, {"patterns", patterns}};
      if (suppressed > 0) fields.push_back({"suppressed", std::to_string(suppressed)});
      log_.log(Level::info, note == LinkStatus::Note::subscribed ? "redis subscribed" : "redis resubscribed", fields);
      return;
    }
    case LinkStatus::Note::lost: {
      if (limited("lost " + std::string(redis::to_string(ended ? ended->kind : RedisError::Kind::io)))) return;
      std::vector<observe::Field> fields{{"redis", where}, {"error", error}};
      if (suppressed > 0) fields.push_back({"suppressed", std::to_string(suppressed)});
      log_.log(Level::warn, "redis connection lost; reconnecting", fields);
      return;
    }
    case LinkStatus::Note::unavailable:
      log_.log(Level::warn, "redis unavailable; retrying with backoff", {{"redis", where}, {"error", error}});
      return;
  }
}

}  // namespace sluice::source
