#include "source/control_broadcaster.hpp"

#include <exception>
#include <utility>
#include <vector>

#include "common/uuid.hpp"
#include "redis/master_locator.hpp"
#include "source/channel_names.hpp"
#include "source/pidbox_message.hpp"

namespace sluice::source {

using Level = observe::Level;
using SteadyClock = std::chrono::steady_clock;

BroadcastOptions BroadcastOptions::from_settings(const config::Settings& settings) {
  BroadcastOptions out;
  out.connect = redis::ConnectOptions::from_settings(settings);
  out.connect.client_name = "sluiced-control";
  out.enabled = settings.enable_events;
  const ChannelNames names = channel_names(settings);
  out.pidbox_channel = names.pidbox_channel;
  out.pidbox_channels = names.pidbox_channels;
  out.pidbox_exchange = settings.control_exchange + ".pidbox";
  out.timing.slow = settings.enable_events_interval;
  out.retry_min = settings.reconnect_min;
  out.retry_max = settings.reconnect_max;
  return out;
}

namespace {

// One reply per method from its PUBLISHes to `channels` channels: the
// receivers added up (a worker listens on one spelling only), or the first
// refusal.
std::vector<redis::RedisReply> per_method(std::vector<redis::RedisReply> replies, std::size_t channels) {
  std::vector<redis::RedisReply> out;
  for (std::size_t first = 0; first + channels <= replies.size(); first += channels) {
    std::int64_t receivers = 0;
    std::optional<redis::RedisReply> refused;
    for (std::size_t i = first; i < first + channels; ++i) {
      if (replies[i].is_error()) {
        if (!refused) refused = std::move(replies[i]);
        continue;
      }
      receivers += replies[i].as_integer().value_or(0);
    }
    out.push_back(refused ? std::move(*refused) : redis::RedisReply::integer(receivers));
  }
  return out;
}

}  // namespace

ControlBroadcaster::ControlBroadcaster(asio::any_io_executor executor, BroadcastOptions options,
                                       observe::Logger& log, observe::Metrics& metrics, std::uint64_t seed)
    : executor_(executor),
      options_(std::move(options)),
      log_(log),
      metrics_(metrics),
      rng_(seed),
      backoff_(options_.retry_min, options_.retry_max),
      wake_timer_(executor),
      schedule_(options_.timing, SteadyClock::now()) {
  if (options_.pidbox_channels.empty()) options_.pidbox_channels.push_back(options_.pidbox_channel);
  if (!options_.enabled) return;
  if (options_.connect.master) {
    master_switch_ = options_.connect.master->on_switch([this](const config::RedisEndpoint&) { wake_timer_.cancel(); });
  }  // read-only mode: not even a metric that suggests otherwise
  errors_ = &metrics.counter("sluiced_control_broadcast_errors_total",
                             "Remote-control broadcasts (enable_events, heartbeat) that could not be published");
  unreached_ = &metrics.counter("sluiced_control_broadcast_unreached_total",
                                "New workers that no enable_events demonstrably reached before sluiced gave up on them");
  metrics.gauge_callback("sluiced_control_broadcast_pending_workers",
                         "New workers that enable_events has not demonstrably reached yet",
                         {}, [this] { return static_cast<double>(schedule_.pending()); });
}

void ControlBroadcaster::start() {
  if (!options_.enabled) return;
  asio::co_spawn(executor_, run(), [this](std::exception_ptr failure) {
    if (!failure) return;
    log_.log(Level::error, "control broadcaster failed (bug); stopping");
    std::rethrow_exception(failure);
  });
}

void ControlBroadcaster::stop() {
  asio::dispatch(executor_, [this] {
    stopping_ = true;
    wake_timer_.cancel();
    if (connection_) connection_->close();
  });
}

void ControlBroadcaster::on_subscribed() {
  if (!options_.enabled) return;
  schedule_.subscribed(SteadyClock::now());
  want_heartbeat_ = true;
  wake();
}

void ControlBroadcaster::on_worker_appeared(std::string_view node) {
  if (!options_.enabled) return;
  schedule_.worker_appeared(node, SteadyClock::now());
  wake();
}

void ControlBroadcaster::wake() {
  if (interruptible_) wake_timer_.cancel();
}

asio::awaitable<void> ControlBroadcaster::wait_until(SteadyClock::time_point deadline, bool interruptible) {
  interruptible_ = interruptible;
  wake_timer_.expires_at(deadline);
  boost::system::error_code ec;
  co_await wake_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  interruptible_ = false;
}

asio::awaitable<void> ControlBroadcaster::run() {
  while (!stopping_) {
    for (const auto& node : schedule_.expire(SteadyClock::now())) {
      unreached_->inc();
      log_.log(Level::debug, "enable_events never demonstrably reached a new worker", {{"worker", node}});
    }
    // (co_await only as a full statement: g++ 12 miscompiles it inside conditions)
    bool published = true;
    // The heartbeat rides with an enable_events, so the cap holds for both
    // and a worker that answers it has received the enable_events too.
    if (SteadyClock::now() >= schedule_.next_due()) published = co_await publish_due();
    if (!published) {
      co_await wait_until(SteadyClock::now() + backoff_.next(rng_), false);
      continue;
    }
    backoff_.reset();
    const auto due = schedule_.next_due();
    if (SteadyClock::now() < due) co_await wait_until(due, true);
  }
}

asio::awaitable<Expected<redis::Connection::Done, redis::RedisError>> ControlBroadcaster::ensure_connected() {
  if (connection_ && connection_->is_open()) co_return redis::Connection::Done{};
  connection_.emplace(executor_, options_.connect);
  redis::Connection connection = *connection_;
  auto connected = co_await connection.connect();
  if (connected && on_connected_) co_await on_connected_(connection);
  co_return connected;
}

asio::awaitable<bool> ControlBroadcaster::publish_due() {
  // Taken now, not after the round trip: a subscription that completes
  // while this PUBLISH is in flight asks for a heartbeat of its own.
  const bool with_heartbeat = std::exchange(want_heartbeat_, false);
  std::vector<std::string> methods{"enable_events"};
  if (with_heartbeat) methods.emplace_back("heartbeat");
  schedule_.sending();
  auto replies = co_await publish(methods);
  // A kept connection may have died quietly (server restart, idle timeout):
  // that is only found out now, so one fresh connection gets one more try.
  if (!replies && !stopping_) replies = co_await publish(methods);
  if (stopping_) co_return false;
  if (!replies) {
    want_heartbeat_ = want_heartbeat_ || with_heartbeat;
    note_failure(replies.error().message);
    co_return false;
  }
  // Delivered to Redis: whatever the replies say, these triggers are done.
  const auto now = SteadyClock::now();
  for (size_t i = 0; i < methods.size(); ++i) {
    const auto& reply = (*replies)[i];
    if (reply.is_error()) {
      if (i == 0) schedule_.published(now, schedule_.last_receivers().value_or(0));  // keep the beat
      note_failure("PUBLISH refused: " + *reply.text());  // e.g. an ACL user without +publish
      continue;
    }
    const std::int64_t receivers = reply.as_integer().value_or(0);
    note_success(methods[i], receivers);
    if (i == 0) note_enable_events(receivers);
  }
  co_return true;
}

// The receiver count tells which new workers this enable_events reached.
void ControlBroadcaster::note_enable_events(std::int64_t receivers) {
  for (const auto& node : schedule_.published(SteadyClock::now(), receivers)) {
    log_.log(Level::debug, "enable_events reached a new worker",
             {{"worker", node}, {"receivers", std::to_string(receivers)}});
    if (on_reached_) on_reached_(node);
  }
  if (on_enable_published_) on_enable_published_();
}

asio::awaitable<Expected<std::vector<redis::RedisReply>, redis::RedisError>> ControlBroadcaster::publish(
    const std::vector<std::string>& methods) {
  auto connected = co_await ensure_connected();
  if (!connected) co_return Unexpected(connected.error());
  const double expires = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch() +
                                                       options_.timing.slow).count();
  std::vector<redis::CommandArgs> batch;
  for (const auto& method : methods) {
    const PidboxBroadcast broadcast{method, options_.pidbox_exchange, ++clock_, expires, random_uuid4(rng_)};
    const std::string message = pidbox_message(broadcast);
    for (const auto& channel : options_.pidbox_channels) batch.push_back({"PUBLISH", channel, message});
  }
  redis::Connection connection = *connection_;
  auto replies = co_await connection.commands(std::move(batch));
  if (!replies) co_return replies;
  co_return per_method(std::move(*replies), options_.pidbox_channels.size());
}

void ControlBroadcaster::note_failure(const std::string& error) {
  errors_->inc();
  if (failing_) return;
  failing_ = true;
  log_.log(Level::warn, "control broadcast failed; will retry", {{"error", error}});
}

void ControlBroadcaster::note_success(const std::string& method, std::int64_t receivers) {
  metrics_.counter("sluiced_control_broadcasts_total", "Remote-control broadcasts published",
                   {{"method", method}})
      .inc();
  const bool restored = failing_;
  failing_ = false;
  const Level level = (restored || !announced_) ? Level::info : Level::debug;
  announced_ = true;
  // On the fast beat the same line would repeat 25 times a second: a
  // publish is logged when it is the first, a heartbeat, or the count moved.
  const bool moved = method != "enable_events" || logged_receivers_ != receivers;
  if (method == "enable_events") logged_receivers_ = receivers;
  if (level == Level::debug && !moved) return;
  log_.log(level, restored ? "control broadcasts restored" : "control broadcast published",
           {{"method", method}, {"channel", options_.pidbox_channel}, {"receivers", std::to_string(receivers)}});
}

}  // namespace sluice::source
