#include "support/redis_server.hpp"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <thread>

#include "support/blocking_redis.hpp"
#include "support/test_paths.hpp"
#include "support/tls_command.hpp"

namespace sluice::testing {
std::uint16_t free_loopback_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    if (fd >= 0) close(fd);
    throw std::runtime_error("free_loopback_port: cannot bind a loopback port");
  }
  close(fd);
  return ntohs(address.sin_port);
}

RedisServer::RedisServer(RedisServerOptions options) : options_(std::move(options)) {
  if (options_.tls && !options_.shared_pki.ca_cert.empty()) {
    tls_files_ = options_.shared_pki;
  } else if (options_.tls) {
    pki_ = std::make_unique<TestPki>();
    tls_files_ = pki_->files();
  }
  for (int attempt = 0; attempt < 5; ++attempt) {
    port_ = options_.tls_only ? 0 : free_loopback_port();
    tls_port_ = options_.tls ? free_loopback_port() : 0;
    launch();
    if (wait_ready()) return;
    stop();
  }
  throw std::runtime_error("redis-server did not start; see " + dir_.file("redis.log") + ":\n" +
                           read_file(dir_.file("redis.log")));
}

RedisServer::~RedisServer() { stop(); }

void RedisServer::launch() {
  const std::string dir = dir_.path();
  std::vector<std::string> args = {"/usr/bin/redis-server", "--port", std::to_string(port_), "--bind", "127.0.0.1",
                                   "--save", "", "--appendonly", "no", "--dir", dir, "--logfile",
                                   dir + "/redis.log", "--daemonize", "no"};
  const auto add = [&args](std::initializer_list<std::string> more) { args.insert(args.end(), more); };
  if (!options_.password.empty()) add({"--requirepass", options_.password});
  if (!options_.acl_user.empty()) {
    add({"--user", options_.acl_user, "on", ">" + options_.acl_password});
    args.insert(args.end(), options_.acl_rules.begin(), options_.acl_rules.end());
    add({"--user", "default", "off"});
  }
  if (options_.unix_socket) add({"--unixsocket", socket_path(), "--unixsocketperm", "700"});
  if (options_.tls) {
    add({"--tls-port", std::to_string(tls_port_), "--tls-cert-file", tls_files_.server_cert, "--tls-key-file",
         tls_files_.server_key, "--tls-ca-cert-file", tls_files_.ca_cert, "--tls-auth-clients",
         options_.tls_client_certs ? "yes" : "no"});
  }
  args.insert(args.end(), options_.extra_args.begin(), options_.extra_args.end());
  process_ = std::make_unique<ChildProcess>(ProcessSpec{args, {}, dir, dir + "/redis.out"});
}

bool RedisServer::wait_ready() {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  const bool acl = !options_.acl_user.empty();
  while (std::chrono::steady_clock::now() < deadline) {
    if (!process_->running()) return false;  // e.g. the port was taken meanwhile
    if (options_.tls_only) {
      if (tls_command(tls_port_, tls_files_.ca_cert, {"PING"}, options_.password) == redis::RedisReply::status("PONG")) {
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      continue;
    }
    try {
      BlockingRedis probe("127.0.0.1", port_, acl ? options_.acl_user : "",
                          acl ? options_.acl_password : options_.password);
      if (probe.command({"PING"}) == redis::RedisReply::status("PONG")) return true;
    } catch (const std::runtime_error&) {
      // not listening yet
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

void RedisServer::stop() {
  if (process_) process_->stop();
  process_.reset();
}

void RedisServer::start() {
  for (int attempt = 0; attempt < 3; ++attempt) {
    launch();
    if (wait_ready()) return;
    stop();
  }
  throw std::runtime_error("redis-server did not restart on port " + std::to_string(port_) + ":\n" +
                           read_file(dir_.file("redis.log")));
}

void RedisServer::restart() {
  stop();
  start();
}

void RedisServer::pause() {
  if (process_) process_->signal(SIGSTOP);
}

void RedisServer::resume() {
  if (process_) process_->signal(SIGCONT);
}

config::RedisUrl RedisServer::tcp_url(int db) const {
  config::RedisUrl url;
  url.host = "127.0.0.1";
  url.port = port_;
  url.db = db;
  if (!options_.acl_user.empty()) {
    url.username = options_.acl_user;
    url.password = options_.acl_password;
  } else {
    url.password = options_.password;
  }
  return url;
}

config::RedisUrl RedisServer::tls_url(int db) const {
  auto url = tcp_url(db);
  url.transport = config::RedisUrl::Transport::tls;
  url.port = tls_port_;
  return url;
}

config::RedisUrl RedisServer::unix_url(int db) const {
  auto url = tcp_url(db);
  url.transport = config::RedisUrl::Transport::unix_socket;
  url.host.clear();
  url.socket_path = socket_path();
  return url;
}

}  // namespace sluice::testing
