#pragma once
// RedisServer: a private redis-server (Debian's, built with TLS) for one
// test: loopback only, free ports, no persistence, optional password, ACL
// user, unix socket and TLS port (a TestPki per server).
// Ready when it answers PING; restart() keeps the ports; the destructor
// stops it by PID.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config/url.hpp"
#include "support/child_process.hpp"
#include "support/temp_dir.hpp"
#include "support/test_pki.hpp"

namespace sluice::testing {

// A port the kernel just handed out on loopback. Another process may take
// it before the caller binds it; callers retry with a new one.
std::uint16_t free_loopback_port();

struct RedisServerOptions {
  std::string password;      // requirepass for the default user
  std::string acl_user;      // an extra ACL user with this password; the default user is then disabled
  std::string acl_password;
  std::vector<std::string> acl_rules = {"~*", "&*", "+@all"};  // what the ACL user may do
  bool unix_socket = false;
  bool tls = false;               // adds a TLS port (the plain port stays, for the test's publisher)
  bool tls_client_certs = false;  // TLS clients must present a certificate signed by the CA
  bool tls_only = false;          // with tls: no plain port at all (port() is 0); probed over TLS
  TlsFiles shared_pki;            // with tls: these certificates (a cluster's one CA) instead of a new TestPki
  std::vector<std::string> extra_args;  // appended to the command line, e.g. {"--maxclients", "10"}

  static RedisServerOptions with_password(std::string password) {
    RedisServerOptions o;
    o.password = std::move(password);
    return o;
  }
  static RedisServerOptions with_acl_user(std::string user, std::string password) {
    RedisServerOptions o;
    o.acl_user = std::move(user);
    o.acl_password = std::move(password);
    return o;
  }
  static RedisServerOptions with_unix_socket() {
    RedisServerOptions o;
    o.unix_socket = true;
    return o;
  }
  static RedisServerOptions with_tls(bool client_certs = false) {
    RedisServerOptions o;
    o.tls = true;
    o.tls_client_certs = client_certs;
    return o;
  }
};

class RedisServer {
 public:
  explicit RedisServer(RedisServerOptions options = {});
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  std::uint16_t port() const { return port_; }
  std::uint16_t tls_port() const { return tls_port_; }
  std::string socket_path() const { return dir_.file("redis.sock"); }
  const TlsFiles& tls_files() const { return tls_files_; }
  const RedisServerOptions& options() const { return options_; }
  pid_t pid() const { return process_ ? process_->pid() : -1; }

  // URLs with the configured credentials.
  config::RedisUrl tcp_url(int db = 0) const;
  config::RedisUrl tls_url(int db = 0) const;
  config::RedisUrl unix_url(int db = 0) const;

  void stop();
  void start();    // on the same ports
  void restart();  // stop + start
  // Freezes / thaws the server process (a server that accepts but never answers).
  void pause();
  void resume();

 private:
  void launch();
  bool wait_ready();

  RedisServerOptions options_;
  TempDir dir_;
  std::unique_ptr<TestPki> pki_;  // with options.tls
  TlsFiles tls_files_;            // pki_'s files, or empty paths
  std::uint16_t port_ = 0;
  std::uint16_t tls_port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace sluice::testing
