#include "support/fake_redis.hpp"

#include <algorithm>
#include <cctype>
#include <mutex>

#include "common/asio.hpp"
#include "redis/reply_reader.hpp"
#include "support/io_thread.hpp"

namespace sluice::testing {
namespace {

using asio::redirect_error;
using asio::use_awaitable;
using tcp = asio::ip::tcp;
using Socket = std::shared_ptr<tcp::socket>;

std::string bulk(const std::string& text) { return "$" + std::to_string(text.size()) + "\r\n" + text + "\r\n"; }

std::string upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::toupper(c); });
  return text;
}

// The command's arguments, or nothing for a reply that is not an array of strings.
std::vector<std::string> arguments(const redis::RedisReply& command) {
  std::vector<std::string> out;
  if (const auto* items = command.as_array()) {
    for (const auto& item : *items) {
      if (item.text()) out.push_back(*item.text());
    }
  }
  return out;
}

}  // namespace

struct FakeRedis::Impl {
  explicit Impl(std::function<FakeRedisScript(std::size_t)> s) : script(std::move(s)) {}

  void start() {
    thread.call([this] {
      acceptor.open(tcp::v4());
      acceptor.bind(tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
      acceptor.listen();
      port = acceptor.local_endpoint().port();
      asio::co_spawn(thread.context(), accept_loop(), asio::detached);
    });
  }

  asio::awaitable<void> accept_loop() {
    for (;;) {
      boost::system::error_code ec;
      tcp::socket socket = co_await acceptor.async_accept(redirect_error(use_awaitable, ec));
      if (ec) co_return;
      std::size_t index = 0;
      {
        std::lock_guard lock(mutex);
        index = accepted++;
      }
      auto shared = std::make_shared<tcp::socket>(std::move(socket));
      open_sockets.push_back(shared);
      asio::co_spawn(thread.context(), serve(shared, script(index)), asio::detached);
    }
  }

  asio::awaitable<bool> send(const Socket& socket, const std::string& bytes) {
    boost::system::error_code ec;
    co_await asio::async_write(*socket, asio::buffer(bytes), redirect_error(use_awaitable, ec));
    co_return !ec;
  }

  // Streams and trickles 'x' bytes; false once the client is gone.
  asio::awaitable<bool> stream(const Socket& socket, std::uint64_t bytes) {
    const std::string chunk(64 * 1024, 'x');
    while (bytes > 0) {
      const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(bytes, chunk.size()));
      if (!co_await send(socket, chunk.substr(0, n))) co_return false;
      bytes -= n;
      std::lock_guard lock(mutex);
      streamed += n;
    }
    co_return true;
  }

  // What happens once a subscription is confirmed; false when the connection ends.
  asio::awaitable<bool> after_subscription(const Socket& socket, const FakeRedisScript& s) {
    if (!s.after_subscribe.empty() && !co_await send(socket, s.after_subscribe)) co_return false;
    if (!co_await stream(socket, s.stream_bytes)) co_return false;
    if (s.then == FakeRedisScript::Then::close) co_return false;
    if (s.then == FakeRedisScript::Then::hold) co_return true;
    asio::steady_timer timer(thread.context());
    for (;;) {
      timer.expires_after(s.trickle_period);
      boost::system::error_code ec;
      co_await timer.async_wait(redirect_error(use_awaitable, ec));
      if (ec || !co_await stream(socket, 1)) co_return false;
    }
  }

  asio::awaitable<bool> answer(const Socket& socket, const FakeRedisScript& s, const std::vector<std::string>& args,
                               bool& subscribed) {
    const std::string name = upper(args.front());
    {
      std::lock_guard lock(mutex);
      received.push_back(name);
    }
    if (const auto listed = s.answers.find(name); listed != s.answers.end()) co_return co_await send(socket, listed->second);
    if (name == "PSUBSCRIBE" || name == "SUBSCRIBE") {
      std::string confirmations;
      for (std::size_t i = 1; i < args.size(); ++i) {
        confirmations += "*3\r\n" + bulk(name == "PSUBSCRIBE" ? "psubscribe" : "subscribe") + bulk(args[i]) + ":" +
                         std::to_string(i) + "\r\n";
      }
      if (!co_await send(socket, confirmations)) co_return false;
      subscribed = true;
      {
        std::lock_guard lock(mutex);
        ++confirmed;
      }
      co_return co_await after_subscription(socket, s);
    }
    if (name == "PING") co_return co_await send(socket, subscribed ? "*2\r\n" + bulk("pong") + bulk("") : "+PONG\r\n");
    co_return co_await send(socket, "+OK\r\n");
  }

  asio::awaitable<void> serve(Socket socket, FakeRedisScript s) {
    redis::ReplyReader commands;
    bool subscribed = false;
    for (bool open = true; open;) {
      boost::system::error_code ec;
      const auto space = commands.prepare(16 * 1024);
      const std::size_t n =
          co_await socket->async_read_some(asio::buffer(space.data(), space.size()), redirect_error(use_awaitable, ec));
      if (ec) break;
      commands.commit(n);
      for (auto next = commands.next(); open && next && *next; next = commands.next()) {
        const auto args = arguments(**next);
        if (!args.empty()) open = co_await answer(socket, s, args, subscribed);
      }
    }
    boost::system::error_code ignored;
    socket->shutdown(tcp::socket::shutdown_both, ignored);
    socket->close(ignored);
  }

  std::function<FakeRedisScript(std::size_t)> script;
  mutable std::mutex mutex;
  std::size_t accepted = 0;
  std::size_t confirmed = 0;
  std::uint64_t streamed = 0;
  std::vector<std::string> received;
  std::uint16_t port = 0;
  IoThread thread;
  tcp::acceptor acceptor{thread.context()};
  std::vector<Socket> open_sockets;  // loop thread only: closed on destruction
};

FakeRedis::FakeRedis(std::function<FakeRedisScript(std::size_t connection)> script)
    : impl_(std::make_unique<Impl>(std::move(script))) {
  impl_->start();
}

FakeRedis::FakeRedis(FakeRedisScript script)
    : FakeRedis([script](std::size_t) { return script; }) {}

FakeRedis::~FakeRedis() {
  impl_->thread.call([this] {
    boost::system::error_code ignored;
    impl_->acceptor.close(ignored);
    for (auto& socket : impl_->open_sockets) socket->close(ignored);
  });
  impl_->thread.stop();
}

std::uint16_t FakeRedis::port() const { return impl_->port; }

config::RedisUrl FakeRedis::url() const {
  config::RedisUrl url;
  url.host = "127.0.0.1";
  url.port = port();
  return url;
}

std::size_t FakeRedis::connections() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->accepted;
}

std::size_t FakeRedis::subscriptions() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->confirmed;
}

std::uint64_t FakeRedis::bytes_streamed() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->streamed;
}

std::vector<std::string> FakeRedis::commands() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->received;
}

}  // namespace sluice::testing
