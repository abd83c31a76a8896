#include "support/sentinel_cluster.hpp"

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "support/blocking_redis.hpp"
#include "support/test_paths.hpp"
#include "support/tls_command.hpp"
#include "support/wait_until.hpp"

namespace sluice::testing {
namespace {

using namespace std::chrono_literals;

std::size_t array_size(const std::optional<redis::RedisReply>& reply) {
  const auto* items = reply ? reply->as_array() : nullptr;
  return items ? items->size() : 0;
}

}  // namespace

std::optional<redis::RedisReply> SentinelCluster::ask(std::uint16_t port, const std::vector<std::string>& command,
                                                      const std::string& password) const {
  if (options_.tls) return tls_command(port, pki_.ca_file(), command, password);
  try {
    BlockingRedis client("127.0.0.1", port, "", password);
    return client.command(command);
  } catch (const std::runtime_error&) {
    return std::nullopt;  // not listening (yet, or any more)
  }
}

SentinelCluster::SentinelCluster(SentinelClusterOptions options) : options_(std::move(options)) {
  RedisServerOptions master;
  if (options_.tls) {
    master.tls = true;
    master.tls_only = true;
    master.shared_pki = pki_.files();
    master.extra_args = {"--tls-replication", "yes"};
  }
  nodes_.push_back(std::make_unique<RedisServer>(master));
  RedisServerOptions replica = master;
  replica.extra_args.insert(replica.extra_args.end(), {"--replicaof", "127.0.0.1", std::to_string(data_port(0))});
  nodes_.push_back(std::make_unique<RedisServer>(replica));
  if (!wait_until([&] { return is_synced_replica(data_port(1)); }, 10s)) {
    throw std::runtime_error("the replica did not sync with the master");
  }
  for (std::size_t i = 0; i < 3; ++i) start_sentinel(i);
  // Sentinels find each other by hello messages on the master, every 2 s.
  if (!wait_until([&] { return ready(); }, 15s)) {
    throw std::runtime_error("the sentinels did not find the replica and each other; see " + dir_.path());
  }
}

SentinelCluster::~SentinelCluster() {
  for (auto& sentinel : sentinels_) sentinel->stop();
}

std::uint16_t SentinelCluster::data_port(int index) {
  return options_.tls ? node(index).tls_port() : node(index).port();
}

void SentinelCluster::start_sentinel(std::size_t index) {
  const std::string dir = dir_.file("sentinel" + std::to_string(index));
  std::filesystem::create_directories(dir);
  for (int attempt = 0; attempt < 5; ++attempt) {
    const std::uint16_t port = free_loopback_port();
    const std::string conf = dir + "/sentinel.conf";
    std::ofstream out(conf);
    out << "bind 127.0.0.1\ndaemonize no\ndir " << dir << "\nlogfile " << dir << "/sentinel.log\n";
    if (options_.tls) {
      const TlsFiles& files = pki_.files();
      out << "port 0\ntls-port " << port << "\ntls-cert-file " << files.server_cert << "\ntls-key-file "
          << files.server_key << "\ntls-ca-cert-file " << files.ca_cert
          << "\ntls-auth-clients no\ntls-replication yes\n";
    } else {
      out << "port " << port << "\n";
    }
    if (!options_.sentinel_password.empty()) {
      out << "requirepass " << options_.sentinel_password << "\nsentinel sentinel-pass " << options_.sentinel_password
          << "\n";
    }
    out << "sentinel monitor " << kMasterName << " 127.0.0.1 " << data_port(0) << " 2\n"
        << "sentinel down-after-milliseconds " << kMasterName << " 500\n"
        << "sentinel failover-timeout " << kMasterName << " 2000\n";
    out.close();
    auto process = std::make_unique<ChildProcess>(
        ProcessSpec{{"/usr/bin/redis-server", conf, "--sentinel"}, {}, dir, dir + "/sentinel.out"});
    if (wait_until([&] { return ask(port, {"PING"}, options_.sentinel_password).has_value() || !process->running(); },
                   10s) &&
        process->running()) {
      sentinel_ports_.push_back(port);
      sentinels_.push_back(std::move(process));
      return;
    }
    process->stop();  // the port was taken meanwhile: another one
  }
  throw std::runtime_error("a sentinel did not start; see " + dir);
}

bool SentinelCluster::ready() const {
  for (const auto port : sentinel_ports_) {
    const std::string& password = options_.sentinel_password;
    if (array_size(ask(port, {"SENTINEL", "replicas", kMasterName}, password)) < 1) return false;
    if (array_size(ask(port, {"SENTINEL", "sentinels", kMasterName}, password)) < 2) return false;
  }
  return true;
}

std::string SentinelCluster::url() const {
  std::string out;
  for (const auto port : sentinel_ports_) {
    out += (out.empty() ? "" : ";") + std::string("sentinel://127.0.0.1:") + std::to_string(port);
  }
  return out;
}

std::optional<std::uint16_t> SentinelCluster::master_port() const {
  for (const auto port : sentinel_ports_) {
    const auto reply = ask(port, {"SENTINEL", "get-master-addr-by-name", kMasterName}, options_.sentinel_password);
    const auto* items = reply ? reply->as_array() : nullptr;
    if (items && items->size() == 2 && (*items)[1].text()) return std::stoi(*(*items)[1].text());
  }
  return std::nullopt;
}

bool SentinelCluster::is_master(std::uint16_t port) const {
  const auto reply = ask(port, {"ROLE"});
  const auto* items = reply ? reply->as_array() : nullptr;
  return items && !items->empty() && items->front().text() && *items->front().text() == "master";
}

bool SentinelCluster::is_synced_replica(std::uint16_t port) const {
  const auto reply = ask(port, {"ROLE"});
  const auto* items = reply ? reply->as_array() : nullptr;
  return items && items->size() >= 4 && items->front().text() && *items->front().text() == "slave" &&
         (*items)[3].text() && *(*items)[3].text() == "connected";
}

std::string SentinelCluster::failover() {
  const auto reply = ask(sentinel_ports_.front(), {"SENTINEL", "FAILOVER", kMasterName}, options_.sentinel_password);
  return reply && reply->text() ? *reply->text() : "no answer";
}

}  // namespace sluice::testing
