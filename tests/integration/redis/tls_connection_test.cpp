// rediss:// against redis-server's TLS port: chain and host-name
// verification with the test CA, refusal with an unrelated CA, and client
// certificates.

#include <gtest/gtest.h>

#include "redis/connection.hpp"
#include "support/io_thread.hpp"
#include "support/redis_server.hpp"

namespace sluice::redis {
namespace {

using namespace std::chrono_literals;
using testing::IoThread;
using testing::RedisServer;
using testing::RedisServerOptions;

ConnectOptions tls_options(const RedisServer& server, const std::string& ca_file) {
  ConnectOptions o;
  o.url = server.tls_url();
  o.ca_file = ca_file;
  o.connect_timeout = 2s;
  o.command_timeout = 2s;
  return o;
}

Expected<RedisReply, RedisError> tls_ping(IoThread& io, ConnectOptions options) {
  return io.run([](asio::any_io_executor ex, ConnectOptions o) -> asio::awaitable<Expected<RedisReply, RedisError>> {
    auto connection = co_await Connection::open(ex, std::move(o));
    if (!connection) co_return Unexpected(connection.error());
    CommandArgs ping_command{std::string("PING")};
    co_return co_await connection->command(std::move(ping_command));
  }(io.executor(), std::move(options)));
}

TEST(TlsConnection, VerifiesTheServerWithTheRightCa) {
  RedisServer server(RedisServerOptions::with_tls());
  IoThread io;
  auto by_ip = tls_ping(io, tls_options(server, server.tls_files().ca_cert));
  ASSERT_TRUE(by_ip) << by_ip.error();
  EXPECT_EQ(*by_ip, RedisReply::status("PONG"));

  auto named = tls_options(server, server.tls_files().ca_cert);
  named.url.host = "localhost";  // host-name check against the DNS entry, with SNI
  auto by_name = tls_ping(io, named);
  ASSERT_TRUE(by_name) << by_name.error();
}

TEST(TlsConnection, RefusesAServerSignedByAnotherCa) {
  RedisServer server(RedisServerOptions::with_tls());
  IoThread io;
  auto reply = tls_ping(io, tls_options(server, server.tls_files().other_ca_cert));
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().kind, RedisError::Kind::tls);
  EXPECT_NE(reply.error().message.find("certificate"), std::string::npos) << reply.error();
}

TEST(TlsConnection, RefusesAServerWhoseNameDoesNotMatch) {
  RedisServer server(RedisServerOptions::with_tls());
  IoThread io;
  auto options = tls_options(server, server.tls_files().ca_cert);
  // The resolver reads "127.0.0.01" as 127.0.0.1, so this reaches the same
  // server with a valid chain; but the text is no IP literal, so it is
  // checked as a host name, which the certificate (127.0.0.1, localhost)
  // does not carry.
  options.url.host = "127.0.0.01";
  auto reply = tls_ping(io, options);
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().kind, RedisError::Kind::tls) << reply.error();
}

TEST(TlsConnection, MissingCaFileIsATlsError) {
  RedisServer server(RedisServerOptions::with_tls());
  IoThread io;
  auto reply = tls_ping(io, tls_options(server, server.tls_files().ca_cert + ".missing"));
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().kind, RedisError::Kind::tls);
}

TEST(TlsConnection, ClientCertificateWhenTheServerRequiresOne) {
  RedisServer server(RedisServerOptions::with_tls(true));
  IoThread io;
  auto anonymous = tls_ping(io, tls_options(server, server.tls_files().ca_cert));
  EXPECT_FALSE(anonymous);  // TLS 1.3: the refusal may surface on the first read

  auto options = tls_options(server, server.tls_files().ca_cert);
  options.cert_file = server.tls_files().client_cert;
  options.key_file = server.tls_files().client_key;
  auto reply = tls_ping(io, options);
  ASSERT_TRUE(reply) << reply.error();
  EXPECT_EQ(*reply, RedisReply::status("PONG"));
}

TEST(TlsConnection, HandshakeTimesOutOnAFrozenServer) {
  RedisServer server(RedisServerOptions::with_tls());
  IoThread io;
  auto options = tls_options(server, server.tls_files().ca_cert);
  options.connect_timeout = 200ms;
  server.pause();
  auto reply = tls_ping(io, options);
  server.resume();
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().kind, RedisError::Kind::timeout) << reply.error();
}

}  // namespace
}  // namespace sluice::redis
