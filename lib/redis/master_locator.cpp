#include "redis/master_locator.hpp"

#include "common/host_port.hpp"
#include "redis/connection.hpp"
#include "redis/sentinel_replies.hpp"

namespace sluice::redis {

SentinelOptions SentinelOptions::from_settings(const config::Settings& settings, const config::RedisUrl& url) {
  SentinelOptions out;
  out.sentinels = url.sentinels;
  out.master_name = settings.sentinel_master;
  out.master_tls = settings.master_tls;
  out.sentinel_connect = ConnectOptions::from_settings(settings);
  config::RedisUrl& sentinel = out.sentinel_connect.url;
  sentinel = config::RedisUrl{};
  sentinel.transport = settings.sentinel_tls ? config::RedisUrl::Transport::tls : config::RedisUrl::Transport::tcp;
  sentinel.username = settings.sentinel_username;
  sentinel.password = settings.sentinel_password;
  out.sentinel_connect.client_name = "sluiced-sentinel";
  return out;
}

ConnectOptions SentinelOptions::to_sentinel(const config::RedisEndpoint& sentinel) const {
  ConnectOptions out = sentinel_connect;
  out.url.host = sentinel.host;
  out.url.port = sentinel.port;
  return out;
}

asio::awaitable<Expected<config::RedisEndpoint, RedisError>> MasterLocator::ask(Connection& sentinel) const {
  // (the arguments are built first: g++ 12 miscompiles a braced list in co_await)
  CommandArgs args{"SENTINEL", "get-master-addr-by-name", options_.master_name};
  auto reply = co_await sentinel.command(std::move(args));
  if (!reply) co_return Unexpected(reply.error());
  auto address = parse_master_address(*reply);
  if (!address) {
    // MASTERDOWN-like: the sentinel cannot name one now, another may.
    co_return Unexpected(RedisError{RedisError::Kind::busy, "master '" + options_.master_name + "': " + address.error()});
  }
  co_return *address;
}

asio::awaitable<Expected<config::RedisEndpoint, RedisError>> MasterLocator::locate(asio::any_io_executor executor) {
  const std::size_t count = options_.sentinels.size();
  std::string failures;
  RedisError::Kind last_kind = RedisError::Kind::connect;
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t index = (first_ + i) % count;
    const auto& sentinel = options_.sentinels[index];
    // (co_await only as a full statement: g++ 12 miscompiles it inside conditions)
    auto connection = co_await Connection::open(executor, options_.to_sentinel(sentinel));
    Expected<config::RedisEndpoint, RedisError> answer = Unexpected(RedisError{});
    if (connection) {
      answer = co_await ask(*connection);
      connection->close();
    } else {
      answer = Unexpected(connection.error());
    }
    if (answer) {
      first_ = index;
      expected_ = *answer;
      co_return *answer;
    }
    last_kind = answer.error().kind;
    failures += (failures.empty() ? "" : "; ") + std::string("sentinel ") + host_and_port(sentinel.host, sentinel.port) +
                ": " + answer.error().message;
  }
  co_return Unexpected(RedisError{last_kind, "no sentinel named the master '" + options_.master_name + "' (" + failures + ")"});
}

void MasterLocator::confirmed(const config::RedisEndpoint& node) {
  MasterStatus now;
  {
    const std::lock_guard lock(mutex_);
    if (status_.master == node) return;
    if (status_.master) ++status_.failovers;
    status_.master = node;
    now = status_;
  }
  if (on_change_) on_change_(now);
}

void MasterLocator::replica_found(const config::RedisEndpoint&) {
  const std::lock_guard lock(mutex_);
  ++status_.replicas_refused;
}

void MasterLocator::switched(const config::RedisEndpoint& to) {
  expected_ = to;
  // Copied first: a handler may register or drop handlers.
  std::vector<std::shared_ptr<SwitchHandler>> live;
  std::erase_if(switch_handlers_, [&live](const std::weak_ptr<SwitchHandler>& weak) {
    auto handler = weak.lock();
    if (handler) live.push_back(std::move(handler));
    return !handler;
  });
  for (const auto& handler : live) (*handler)(to);
}

std::shared_ptr<void> MasterLocator::on_switch(SwitchHandler handler) {
  auto shared = std::make_shared<SwitchHandler>(std::move(handler));
  std::erase_if(switch_handlers_, [](const std::weak_ptr<SwitchHandler>& weak) { return weak.expired(); });
  switch_handlers_.push_back(shared);
  return shared;
}

MasterStatus MasterLocator::status() const {
  const std::lock_guard lock(mutex_);
  return status_;
}

}  // namespace sluice::redis
