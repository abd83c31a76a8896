#include "redis/connection.hpp"

#include <string>

#include "common/host_port.hpp"
#include "redis/handshake.hpp"
#include "redis/master_locator.hpp"
#include "redis/sentinel_replies.hpp"
#include "redis/reply_reader.hpp"
#include "redis/stream.hpp"

namespace sluice::redis {

using boost::system::error_code;
using Clock = std::chrono::steady_clock;

struct Link {
  Link(asio::any_io_executor ex, ConnectOptions opts)
      : executor(ex), options(std::move(opts)), stream(ex), reader(options.reply_limits), timer(ex) {}

  asio::any_io_executor executor;
  ConnectOptions options;
  Stream stream;
  ReplyReader reader;
  asio::steady_timer timer;
  std::uint64_t generation = 0;  // tells a stale timer from the current deadline
  bool timed_out = false;
  bool closed = false;
  bool closed_by_client = false;
  bool left_behind = false;             // closed because a sentinel announced another master
  std::shared_ptr<void> switch_watch;   // keeps the MasterLocator's switch handler alive
  Clock::time_point last_received = Clock::now();
  Clock::time_point reply_started = Clock::now();  // of the reply in progress, if one is
};

namespace {

// 64 KiB: under a heavy pub/sub stream one read takes ~60 messages, so the
// per-read cost (syscall, coroutine resumption) is spread thin. Delivery
// runs on its own thread, so a long read handler delays nothing else. Reads
// go straight into the reply reader's buffer.
constexpr std::size_t kReadBytes = 64 * 1024;

using Failure = Unexpected<RedisError>;

// A deadline for the operations in its scope: when it expires first, the
// stream is closed, which completes whatever is pending with an error. The
// timer handler holds only a weak reference, so it never outlives the Link.
class Deadline {
 public:
  Deadline(const std::shared_ptr<Link>& link, Duration timeout) : link_(*link) {
    link->timed_out = false;
    link->timer.expires_after(timeout);
    link->timer.async_wait([weak = std::weak_ptr<Link>(link), generation = ++link->generation](error_code ec) {
      auto l = weak.lock();
      if (ec || !l || l->generation != generation) return;
      l->timed_out = true;
      l->stream.close();
    });
  }
  ~Deadline() {
    ++link_.generation;
    link_.timer.cancel();
  }
  Deadline(const Deadline&) = delete;
  Deadline& operator=(const Deadline&) = delete;

 private:
  Link& link_;
};

Failure fail(Link& link, RedisError error) {
  link.closed = true;
  link.stream.close();
  error.message = redact_secret(std::move(error.message), link.options.url.password);
  return Failure(std::move(error));
}

RedisError io_error(const Link& link, const error_code& ec, const std::string& during, Duration timeout) {
  const auto where = Stream::describe(link.options.url);
  if (link.left_behind) return {RedisError::Kind::closed, where + " is no longer the master (a sentinel announced a failover)"};
  if (link.timed_out) {
    return {RedisError::Kind::timeout, during + " " + where + " timed out after " + std::to_string(timeout.count()) + "ms"};
  }
  if (link.closed_by_client) return {RedisError::Kind::closed, "connection to " + where + " closed"};
  if (ec == asio::error::eof || ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
      ec == asio::ssl::error::stream_truncated) {
    return {RedisError::Kind::closed, where + " closed the connection"};
  }
  return {RedisError::Kind::io, during + " " + where + " failed: " + ec.message()};
}

RedisError closed_error(const Link& link) {
  if (link.left_behind) {
    return {RedisError::Kind::closed,
            Stream::describe(link.options.url) + " is no longer the master (a sentinel announced a failover)"};
  }
  return {RedisError::Kind::closed, "connection to " + Stream::describe(link.options.url) + " is closed"};
}

asio::awaitable<Expected<Connection::Done, RedisError>> write(Link& link, std::string bytes, Duration timeout) {
  error_code ec;
  co_await link.stream.write_all(asio::buffer(bytes), ec);
  if (ec) co_return fail(link, io_error(link, ec, "writing to", timeout));
  co_return Connection::Done{};
}

asio::awaitable<Expected<RedisReply, RedisError>> read_reply(Link& link, Duration timeout) {
  for (;;) {
    auto next = link.reader.next();
    if (!next) co_return fail(link, next.error());
    if (*next) co_return std::move(**next);
    error_code ec;
    const auto space = link.reader.prepare(kReadBytes);
    const auto n = co_await link.stream.read_some(asio::buffer(space.data(), space.size()), ec);
    if (ec) co_return fail(link, io_error(link, ec, "reading from", timeout));
    link.last_received = Clock::now();
    const bool was_in_progress = link.reader.reply_in_progress();
    const auto replies_before = link.reader.replies_fed();
    link.reader.commit(n);
    // A reply that began in this read started now; one still in progress
    // from before keeps its start, however many bytes trickle in.
    if (link.reader.reply_in_progress() && (!was_in_progress || link.reader.replies_fed() != replies_before)) {
      link.reply_started = link.last_received;
    }
  }
}

asio::awaitable<Expected<std::vector<RedisReply>, RedisError>> exchange(Link& link, std::vector<CommandArgs> batch,
                                                                        Duration timeout) {
  if (link.closed) co_return Failure(closed_error(link));
  auto written = co_await write(link, format_commands(batch), timeout);
  if (!written) co_return Failure(written.error());
  std::vector<RedisReply> replies;
  replies.reserve(batch.size());
  while (replies.size() < batch.size()) {
    auto reply = co_await read_reply(link, timeout);
    if (!reply) co_return Failure(reply.error());
    replies.push_back(std::move(*reply));
  }
  co_return replies;
}

}  // namespace

Connection::Connection(asio::any_io_executor executor, ConnectOptions options)
    : link_(std::make_shared<Link>(executor, std::move(options))) {}

namespace {

// sentinel://: the sentinels name the master; this connection goes there.
asio::awaitable<std::optional<RedisError>> aim_at_master(Link& link) {
  auto located = co_await link.options.master->locate(link.executor);
  if (!located) co_return located.error();
  auto& url = link.options.url;
  url.host = located->host;
  url.port = located->port;
  url.transport = link.options.master->options().master_tls ? config::RedisUrl::Transport::tls
                                                             : config::RedisUrl::Transport::tcp;
  co_return std::nullopt;
}

// The node a sentinel named may already be a replica (a failover under
// way, or a stale answer): ROLE tells. A user whose ACL refuses ROLE gets
// the sentinels' word for it. While this connection lasts, a failover the
// sentinels announce closes it.
asio::awaitable<std::optional<RedisError>> check_master(const std::shared_ptr<Link>& link, Duration timeout) {
  auto& master = *link->options.master;
  const config::RedisEndpoint node{link->options.url.host, link->options.url.port};
  std::vector<CommandArgs> role{CommandArgs{"ROLE"}};
  auto replies = co_await exchange(*link, std::move(role), timeout);
  if (!replies) co_return replies.error();
  if (parse_role(replies->front()) == NodeRole::replica || parse_role(replies->front()) == NodeRole::other) {
    master.replica_found(node);
    co_return RedisError{RedisError::Kind::busy, Stream::describe(link->options.url) +
                                                     " is not the master (ROLE); asking the sentinels again"};
  }
  // Named before a failover was announced, reached after it: stale.
  if (const auto expected = master.expected(); expected && *expected != node) {
    co_return RedisError{RedisError::Kind::busy, Stream::describe(link->options.url) +
                                                     " was the master before the failover; asking the sentinels again"};
  }
  master.confirmed(node);
  if (link->options.outlives_failover) co_return std::nullopt;
  link->switch_watch = master.on_switch([weak = std::weak_ptr<Link>(link), node](const config::RedisEndpoint& to) {
    auto l = weak.lock();
    if (!l || to == node || l->closed) return;
    l->left_behind = true;
    l->closed = true;
    l->stream.close();
  });
  co_return std::nullopt;
}

}  // namespace

asio::awaitable<Expected<Connection::Done, RedisError>> Connection::connect() {
  auto link = link_;
  if (link->closed) co_return Failure(closed_error(*link));
  if (link->options.master) {
    auto missed = co_await aim_at_master(*link);
    if (link->closed_by_client) co_return fail(*link, closed_error(*link));
    if (missed) co_return fail(*link, *missed);
  }
  const Duration timeout = link->options.connect_timeout;
  Deadline deadline(link, timeout);
  auto failed = co_await link->stream.open(link->options);
  if (link->closed_by_client) co_return fail(*link, closed_error(*link));
  if (failed) co_return fail(*link, link->timed_out ? io_error(*link, {}, "connecting to", timeout) : *failed);
  const auto& url = link->options.url;
  if (auto commands = handshake_commands(url, link->options.client_name); !commands.empty()) {
    auto replies = co_await exchange(*link, commands, timeout);
    if (!replies) co_return Failure(replies.error());
    if (auto refused = check_handshake(url, commands, *replies)) co_return fail(*link, *refused);
  }
  if (link->options.master) {
    auto refused = co_await check_master(link, timeout);
    if (refused) co_return fail(*link, *refused);
  }
  co_return Done{};
}

asio::awaitable<Expected<Connection, RedisError>> Connection::open(asio::any_io_executor executor,
                                                                   ConnectOptions options) {
  Connection connection(executor, std::move(options));
  auto connected = co_await connection.connect();
  if (!connected) co_return Failure(connected.error());
  co_return connection;
}

asio::awaitable<Expected<RedisReply, RedisError>> Connection::command(CommandArgs args) {
  std::vector<CommandArgs> batch;
  batch.push_back(std::move(args));
  auto replies = co_await commands(std::move(batch));
  if (!replies) co_return Failure(replies.error());
  co_return std::move(replies->front());
}

asio::awaitable<Expected<std::vector<RedisReply>, RedisError>> Connection::commands(std::vector<CommandArgs> batch) {
  auto link = link_;  // keeps the state alive even if this handle is moved meanwhile
  const Duration timeout = link->options.command_timeout;
  Deadline deadline(link, timeout);
  co_return co_await exchange(*link, std::move(batch), timeout);
}

asio::awaitable<Expected<Connection::Done, RedisError>> Connection::send(CommandArgs args) {
  auto link = link_;
  if (link->closed) co_return Failure(closed_error(*link));
  const Duration timeout = link->options.command_timeout;
  Deadline deadline(link, timeout);
  co_return co_await write(*link, format_command(args), timeout);
}

asio::awaitable<Expected<RedisReply, RedisError>> Connection::receive(std::optional<Duration> timeout) {
  auto link = link_;
  if (link->closed) co_return Failure(closed_error(*link));
  if (!timeout) co_return co_await read_reply(*link, link->options.command_timeout);  // only a send() deadline can expire
  Deadline deadline(link, *timeout);
  co_return co_await read_reply(*link, *timeout);
}

asio::awaitable<Expected<Connection::Done, RedisError>> Connection::receive_all(std::vector<RedisReply>& out) {
  auto link = link_;
  if (link->closed) co_return Failure(closed_error(*link));
  auto first = co_await read_reply(*link, link->options.command_timeout);  // only a send() deadline can expire
  if (!first) co_return Failure(first.error());
  out.push_back(std::move(*first));
  for (;;) {
    auto next = link->reader.next();
    // The replies before a refused one are handed out first; the refusal
    // stays with the reader and ends the next call.
    if (!next || !*next) co_return Done{};
    out.push_back(std::move(**next));
  }
}

void Connection::close() {
  link_->closed_by_client = true;
  if (link_->closed) return;
  link_->closed = true;
  link_->stream.close();
}

bool Connection::is_open() const { return !link_->closed; }

const ConnectOptions& Connection::options() const { return link_->options; }

Clock::time_point Connection::last_received() const { return link_->last_received; }

std::optional<Clock::time_point> Connection::reply_started() const {
  if (!link_->reader.reply_in_progress()) return std::nullopt;
  return link_->reply_started;
}

}  // namespace sluice::redis
