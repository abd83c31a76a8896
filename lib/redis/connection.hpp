#pragma once
// Connection: one asynchronous Redis connection on Asio (TCP, TLS or unix
// socket per the URL), hiredis' reader for replies. Opening does AUTH and
// SELECT. Request/response calls have a deadline; receive() (pub/sub)
// waits until a reply arrives or close() is called. Any failure closes the
// connection: open a new one to continue. A reply that declares more than
// options.reply_limits is such a failure (too_large), found before anything
// is allocated for it.
//
// One coroutine at a time issues request/response calls. In pub/sub mode
// one coroutine may receive() while another send()s (e.g. a keepalive PING).
// Copies are handles to the same connection.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <variant>
#include <vector>

#include "common/asio.hpp"
#include "common/duration.hpp"
#include "common/expected.hpp"
#include "redis/command_format.hpp"
#include "redis/connect_options.hpp"
#include "redis/redis_error.hpp"
#include "redis/redis_reply.hpp"

namespace sluice::redis {

struct Link;  // the shared state pending operations and their timers hold on to

class Connection {
 public:
  using Done = std::monostate;

  // Not connected yet; close() before or during connect() aborts it.
  Connection(asio::any_io_executor executor, ConnectOptions options);

  // Connects, then AUTH / SELECT; everything within options.connect_timeout.
  asio::awaitable<Expected<Done, RedisError>> connect();
  // Shorthand: construct and connect.
  static asio::awaitable<Expected<Connection, RedisError>> open(asio::any_io_executor executor,
                                                                ConnectOptions options);

  // One command, one reply (an error reply is a RedisReply, not a RedisError).
  asio::awaitable<Expected<RedisReply, RedisError>> command(CommandArgs args);
  // Pipelined: every command in one write, all replies in order, one deadline.
  asio::awaitable<Expected<std::vector<RedisReply>, RedisError>> commands(std::vector<CommandArgs> batch);

  // Pub/sub: write a command without waiting for a reply (SUBSCRIBE, PSUBSCRIBE, PING).
  asio::awaitable<Expected<Done, RedisError>> send(CommandArgs args);
  // Pub/sub: the next reply or push; no deadline unless one is given.
  asio::awaitable<Expected<RedisReply, RedisError>> receive(std::optional<Duration> timeout = std::nullopt);
  // Pub/sub, no deadline: waits for the next reply, then appends it and every
  // other complete reply already read to `out`. Under a heavy stream one call
  // takes a whole read (~60 messages), not one coroutine round trip each.
  asio::awaitable<Expected<Done, RedisError>> receive_all(std::vector<RedisReply>& out);

  // Aborts pending operations; they return a `closed` error. Idempotent.
  void close();
  bool is_open() const;
  // What it was opened with; for a sentinel:// URL the url names the master
  // it reached (host and port) once connect() succeeded.
  const ConnectOptions& options() const;
  // When bytes last arrived (keepalive decisions).
  std::chrono::steady_clock::time_point last_received() const;
  // When the read that began the reply still in progress arrived; nothing
  // while no reply is partly read. Bytes trickling in do not move it, so a
  // deadline on it ends a reply that never completes.
  std::optional<std::chrono::steady_clock::time_point> reply_started() const;

 private:
  std::shared_ptr<Link> link_;  // copies of a Connection share it
};

// Work a stage runs on each connection it opens, before using it (e.g. the
// pub/sub buffer limit probe on the queue poller's connection).
using ConnectedHook = std::function<asio::awaitable<void>(Connection)>;

}  // namespace sluice::redis
