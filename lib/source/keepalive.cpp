#include "source/keepalive.hpp"

namespace sluice::source {

std::shared_ptr<Keepalive> Keepalive::start(asio::any_io_executor executor, redis::Connection connection,
                                            Duration interval, Duration reply_timeout) {
  auto self = std::make_shared<Keepalive>(executor, std::move(connection), interval, reply_timeout);
  asio::co_spawn(executor, loop(self), asio::detached);
  return self;
}

Keepalive::Keepalive(asio::any_io_executor executor, redis::Connection connection, Duration interval,
                     Duration reply_timeout)
    : connection_(std::move(connection)), timer_(executor), interval_(interval), reply_timeout_(reply_timeout) {}

void Keepalive::stop() {
  stopped_ = true;
  timer_.cancel();
}

asio::awaitable<void> Keepalive::loop(std::shared_ptr<Keepalive> self) {
  for (;;) {
    // stop() may come before this loop first runs (a session that ends at
    // once): then there is no wait to cancel, and none must begin.
    if (self->stopped_) co_return;
    self->timer_.expires_after(std::min(self->interval_, self->reply_timeout_));
    boost::system::error_code ec;
    co_await self->timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (self->stopped_ || !self->connection_.is_open()) co_return;
    const auto now = std::chrono::steady_clock::now();
    if (const auto started = self->connection_.reply_started(); started && now - *started >= self->reply_timeout_) {
      self->stalled_ = true;
      self->connection_.close();
      co_return;
    }
    const auto silent = now - self->connection_.last_received();
    if (silent >= 2 * self->interval_) {
      self->expired_ = true;
      self->connection_.close();
      co_return;
    }
    if (silent < self->interval_) continue;
    // A subscribed connection answers PING with ["pong", ""] (RESP2). (The
    // argument is built first: g++ 12 miscompiles a braced list in co_await.)
    redis::CommandArgs ping{std::string("PING")};
    auto sent = co_await self->connection_.send(std::move(ping));
    if (!sent) co_return;
  }
}

}  // namespace sluice::source
