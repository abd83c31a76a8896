#pragma once
// Keepalive for a subscribed connection: a half-open TCP link (server host
// gone, no FIN) never fails a pending read, and a quiet broker sends
// nothing. After `interval` of silence a PING goes out; after twice that
// the connection is closed so the subscriber reconnects. A reply that has
// begun and is still incomplete after `reply_timeout` closes it too: bytes
// trickling in are no sign of life.

#include <memory>

#include "common/asio.hpp"
#include "common/duration.hpp"
#include "redis/connection.hpp"

namespace sluice::source {

class Keepalive {
 public:
  static std::shared_ptr<Keepalive> start(asio::any_io_executor executor, redis::Connection connection,
                                          Duration interval, Duration reply_timeout);
  Keepalive(asio::any_io_executor executor, redis::Connection connection, Duration interval, Duration reply_timeout);

  void stop();
  // True when it closed the connection for silence.
  bool expired() const { return expired_; }
  // True when it closed the connection for a reply that stayed incomplete.
  bool stalled() const { return stalled_; }

 private:
  static asio::awaitable<void> loop(std::shared_ptr<Keepalive> self);

  redis::Connection connection_;
  asio::steady_timer timer_;
  Duration interval_;
  Duration reply_timeout_;
  bool stopped_ = false;
  bool expired_ = false;
  bool stalled_ = false;
};

}  // namespace sluice::source
