#pragma once
// ConnectOptions: everything needed to open one Redis connection, taken
// from Settings (URL, TLS files, timeouts).

#include "common/duration.hpp"
#include "config/settings.hpp"
#include "config/url.hpp"
#include "redis/reply_limits.hpp"

#include <memory>

namespace sluice::redis {

class MasterLocator;

struct ConnectOptions {
  config::RedisUrl url;
  std::string ca_file;    // rediss://: PEM bundle; empty = system trust store
  std::string cert_file;  // rediss://: optional client certificate chain (PEM)
  std::string key_file;   // rediss://: its private key (PEM)
  Duration connect_timeout{5000};  // resolve + connect + TLS + AUTH/SELECT
  Duration command_timeout{5000};  // one request/response round trip
  std::string client_name;         // CLIENT SETNAME after connecting; empty = none
  ReplyLimits reply_limits;        // larger replies are refused and the connection dropped
  // sentinel:// URLs: where the master is now (the URL names only the
  // sentinels). Shared by every connection that must follow the master.
  std::shared_ptr<MasterLocator> master;
  // With `master`: a failover leaves this connection open instead of
  // closing it (the subscriber keeps reading the old master while workers
  // that have not noticed the failover still publish there).
  bool outlives_failover = false;

  // Commands use the connect timeout too: Settings has one Redis timeout.
  // Replies are bounded by the message size limit (SLUICE_MAX_MESSAGE_BYTES).
  static ConnectOptions from_settings(const config::Settings& settings);
};

}  // namespace sluice::redis
