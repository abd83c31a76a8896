#include "support/sentinel_cluster.hpp"

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "support/blocking_redis.hpp"
#include "support/test_paths.hpp"
#include "support/wait_until.hpp"

namespace sluice::testing {
namespace {

using namespace std::chrono_literals;

std::optional<redis::RedisReply> ask(std::uint16_t port, const std::vector<std::string>& command) {
  try {
    BlockingRedis client("127.0.0.1", port);
    return client.command(command);
  } catch (const std::runtime_error&) {
    return std::nullopt;  // not listening (yet, or any more)
  }
}

std::size_t array_size(const std::optional<redis::RedisReply>& reply) {
  const auto* items = reply ? reply->as_array() : nullptr;
  return items ? items->size() : 0;
}

}  // namespace

SentinelCluster::SentinelCluster() {
  nodes_.push_back(std::make_unique<RedisServer>());
  RedisServerOptions replica;
  replica.extra_args = {"--replicaof", "127.0.0.1", std::to_string(nodes_[0]->port())};
  nodes_.push_back(std::make_unique<RedisServer>(replica));
  if (!wait_until([&] { return is_synced_replica(nodes_[1]->port()); }, 10s)) {
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

void SentinelCluster::start_sentinel(std::size_t index) {
  const std::string dir = dir_.file("sentinel" + std::to_string(index));
  std::filesystem::create_directories(dir);
  for (int attempt = 0; attempt < 5; ++attempt) {
    const std::uint16_t port = free_loopback_port();
    const std::string conf = dir + "/sentinel.conf";
    std::ofstream(conf) << "port " << port << "\nbind 127.0.0.1\ndaemonize no\ndir " << dir << "\nlogfile " << dir
                        << "/sentinel.log\n"
                        << "sentinel monitor " << kMasterName << " 127.0.0.1 " << nodes_[0]->port() << " 2\n"
                        << "sentinel down-after-milliseconds " << kMasterName << " 500\n"
                        << "sentinel failover-timeout " << kMasterName << " 2000\n";
    auto process = std::make_unique<ChildProcess>(
        ProcessSpec{{"/usr/bin/redis-server", conf, "--sentinel"}, {}, dir, dir + "/sentinel.out"});
    if (wait_until([&] { return ask(port, {"PING"}).has_value() || !process->running(); }, 10s) &&
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
    if (array_size(ask(port, {"SENTINEL", "replicas", kMasterName})) < 1) return false;
    if (array_size(ask(port, {"SENTINEL", "sentinels", kMasterName})) < 2) return false;
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
    const auto reply = ask(port, {"SENTINEL", "get-master-addr-by-name", kMasterName});
    const auto* items = reply ? reply->as_array() : nullptr;
    if (items && items->size() == 2 && (*items)[1].text()) return std::stoi(*(*items)[1].text());
  }
  return std::nullopt;
}

bool SentinelCluster::is_master(std::uint16_t port) {
  const auto reply = ask(port, {"ROLE"});
  const auto* items = reply ? reply->as_array() : nullptr;
  return items && !items->empty() && items->front().text() && *items->front().text() == "master";
}

bool SentinelCluster::is_synced_replica(std::uint16_t port) {
  const auto reply = ask(port, {"ROLE"});
  const auto* items = reply ? reply->as_array() : nullptr;
  return items && items->size() >= 4 && items->front().text() && *items->front().text() == "slave" &&
         (*items)[3].text() && *(*items)[3].text() == "connected";
}

std::string SentinelCluster::failover() {
  const auto reply = ask(sentinel_ports_.front(), {"SENTINEL", "FAILOVER", kMasterName});
  return reply && reply->text() ? *reply->text() : "no answer";
}

}  // namespace sluice::testing
