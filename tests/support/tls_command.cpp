#include "support/tls_command.hpp"

#include "common/asio.hpp"
#include "redis/connection.hpp"

namespace sluice::testing {

std::optional<redis::RedisReply> tls_command(std::uint16_t port, const std::string& ca_file,
                                             const std::vector<std::string>& command, const std::string& password) {
  redis::ConnectOptions options;
  options.url.transport = config::RedisUrl::Transport::tls;
  options.url.host = "127.0.0.1";
  options.url.port = port;
  options.url.password = password;
  options.ca_file = ca_file;
  options.connect_timeout = Duration{2000};
  options.command_timeout = Duration{2000};
  asio::io_context io;
  std::optional<redis::RedisReply> out;
  auto exchange = [](asio::any_io_executor executor, redis::ConnectOptions connect, redis::CommandArgs args,
                     std::optional<redis::RedisReply>& reply) -> asio::awaitable<void> {
    auto connection = co_await redis::Connection::open(executor, std::move(connect));
    if (!connection) co_return;
    auto answer = co_await connection->command(std::move(args));
    if (answer) reply = std::move(*answer);
    connection->close();
  };
  asio::co_spawn(io, exchange(io.get_executor(), std::move(options),
                              redis::CommandArgs(command.begin(), command.end()), out),
                 asio::detached);
  io.run();
  return out;
}

}  // namespace sluice::testing
