#pragma once
// SentinelCluster: a Redis Sentinel deployment of real processes for one
// test — a master, one replica and three sentinels (redis-server
// --sentinel), all on free loopback ports, with short failover settings.
// Ready when the replica is in sync and every sentinel knows the replica
// and the two other sentinels (both needed for a failover). Every process
// is stopped by PID when the object goes away.
// With `tls` every process listens on a TLS port only (certificates of one
// test CA, replication and the sentinels' links over TLS too); with
// `sentinel_password` the sentinels require it (requirepass, and
// sentinel-pass among themselves).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "redis/redis_reply.hpp"
#include "support/child_process.hpp"
#include "support/redis_server.hpp"
#include "support/temp_dir.hpp"
#include "support/test_pki.hpp"

namespace sluice::testing {

struct SentinelClusterOptions {
  bool tls = false;
  std::string sentinel_password;
};

class SentinelCluster {
 public:
  static constexpr const char* kMasterName = "mymaster";

  explicit SentinelCluster(SentinelClusterOptions options = {});
  ~SentinelCluster();
  SentinelCluster(const SentinelCluster&) = delete;
  SentinelCluster& operator=(const SentinelCluster&) = delete;

  // Celery's broker URL: "sentinel://127.0.0.1:P1;sentinel://127.0.0.1:P2;…".
  std::string url() const;
  // The two data nodes: 0 starts as master, 1 as its replica.
  RedisServer& node(int index) { return *nodes_.at(static_cast<std::size_t>(index)); }
  // The port the sentinels know node `index` by (its TLS port with `tls`).
  std::uint16_t data_port(int index);
  // With `tls`: the CA that signed every certificate of the cluster.
  const std::string& ca_file() const { return pki_.ca_file(); }
  std::uint16_t sentinel_port(int index) const { return sentinel_ports_.at(static_cast<std::size_t>(index)); }

  // The port the first sentinel that answers names as master.
  std::optional<std::uint16_t> master_port() const;
  // True when the node on `port` says ROLE master.
  bool is_master(std::uint16_t port) const;
  // True when the node on `port` is a replica whose link to its master is up.
  bool is_synced_replica(std::uint16_t port) const;

  // SENTINEL FAILOVER on the first sentinel ("OK" when it started one).
  std::string failover();

 private:
  void start_sentinel(std::size_t index);
  bool ready() const;
  // One command to a node or (with `password`) a sentinel; nothing when it does not answer.
  std::optional<redis::RedisReply> ask(std::uint16_t port, const std::vector<std::string>& command,
                                       const std::string& password = "") const;

  SentinelClusterOptions options_;
  TempDir dir_;
  TestPki pki_;
  std::vector<std::unique_ptr<RedisServer>> nodes_;
  std::vector<std::uint16_t> sentinel_ports_;
  std::vector<std::unique_ptr<ChildProcess>> sentinels_;
};

}  // namespace sluice::testing
