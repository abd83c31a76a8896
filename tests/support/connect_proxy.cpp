#include "support/connect_proxy.hpp"

#include <mutex>

#include "deliver/beast.hpp"
#include "support/io_thread.hpp"

namespace sluice::testing {
namespace {

using asio::redirect_error;
using asio::use_awaitable;
using tcp = asio::ip::tcp;

// Copies bytes one way until either side closes, then closes both.
asio::awaitable<void> relay(std::shared_ptr<tcp::socket> from, std::shared_ptr<tcp::socket> to) {
  std::array<char, 16 * 1024> chunk{};
  for (;;) {
    boost::system::error_code ec;
    const std::size_t n = co_await from->async_read_some(asio::buffer(chunk), redirect_error(use_awaitable, ec));
    if (ec) break;
    co_await asio::async_write(*to, asio::buffer(chunk.data(), n), redirect_error(use_awaitable, ec));
    if (ec) break;
  }
  boost::system::error_code ignored;
  from->close(ignored);
  to->close(ignored);
}

}  // namespace

struct TestConnectProxy::Impl {
  Impl() {
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
      asio::co_spawn(thread.context(), tunnel(std::make_shared<tcp::socket>(std::move(socket))), asio::detached);
    }
  }

  asio::awaitable<void> tunnel(std::shared_ptr<tcp::socket> client) {
    boost::system::error_code ec;
    beast::flat_buffer buffer;
    http::request_parser<http::empty_body> parser;
    co_await http::async_read_header(*client, buffer, parser, redirect_error(use_awaitable, ec));
    if (ec) co_return;
    const auto& request = parser.get();
    const std::string target(request.target());
    {
      std::lock_guard lock(mutex);
      targets.push_back(target);
      authorizations.emplace_back(request[http::field::proxy_authorization]);
    }
    auto upstream = std::make_shared<tcp::socket>(thread.context());
    int status = refuse_status;
    if (status == 0 && request.method() == http::verb::connect) {
      const auto colon = target.rfind(':');
      tcp::resolver resolver(thread.context());
      auto endpoints = co_await resolver.async_resolve(target.substr(0, colon), target.substr(colon + 1),
                                                       redirect_error(use_awaitable, ec));
      if (!ec) co_await asio::async_connect(*upstream, endpoints, redirect_error(use_awaitable, ec));
      status = ec ? 502 : 200;
    } else if (status == 0) {
      status = 405;
    }
    const std::string head = "HTTP/1.1 " + std::to_string(status) + (status == 200 ? " Connection established" : " Refused") +
                             "\r\n" + (status == 200 ? "" : "Content-Length: 0\r\nConnection: close\r\n") + "\r\n";
    co_await asio::async_write(*client, asio::buffer(head), redirect_error(use_awaitable, ec));
    if (ec || status != 200) co_return;
    if (buffer.size() > 0) co_await asio::async_write(*upstream, buffer.data(), redirect_error(use_awaitable, ec));
    asio::co_spawn(thread.context(), relay(client, upstream), asio::detached);
    asio::co_spawn(thread.context(), relay(upstream, client), asio::detached);
  }

  mutable std::mutex mutex;
  std::vector<std::string> targets;
  std::vector<std::string> authorizations;
  int refuse_status = 0;  // server thread only after construction
  std::uint16_t port = 0;
  IoThread thread;
  tcp::acceptor acceptor{thread.context()};
};

TestConnectProxy::TestConnectProxy() : impl_(std::make_unique<Impl>()) {}

TestConnectProxy::~TestConnectProxy() {
  impl_->thread.call([this] {
    boost::system::error_code ec;
    impl_->acceptor.close(ec);
  });
  impl_->thread.stop();
}

std::uint16_t TestConnectProxy::port() const { return impl_->port; }

void TestConnectProxy::refuse_with(int status) {
  impl_->thread.call([this, status] { impl_->refuse_status = status; });
}

std::vector<std::string> TestConnectProxy::targets() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->targets;
}

std::vector<std::string> TestConnectProxy::authorizations() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->authorizations;
}

}  // namespace sluice::testing
