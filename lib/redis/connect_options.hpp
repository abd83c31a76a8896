#pragma once
// ConnectOptions: everything needed to open one Redis connection, taken
// from Settings (URL, TLS files, timeouts).

#include "common/duration.hpp"
#include "config/settings.hpp"
#include "config/url.hpp"
#include "redis/reply_limits.hpp"

namespace sluice::redis {

struct ConnectOptions {
  config::RedisUrl url;
  std::string ca_file;    // rediss://: PEM bundle; empty = system trust store
  std::string cert_file;  // rediss://: optional client certificate chain (PEM)
  std::string key_file;   // rediss://: its private key (PEM)
  Duration connect_timeout{5000};  // resolve + connect + TLS + AUTH/SELECT
  Duration command_timeout{5000};  // one request/response round trip
  std::string client_name;         // CLIENT SETNAME after connecting; empty = none
  ReplyLimits reply_limits;        // larger replies are refused and the connection dropped

  // Commands use the connect timeout too: Settings has one Redis timeout.
  // Replies are bounded by the message size limit (SLUICE_MAX_MESSAGE_BYTES).
  static ConnectOptions from_settings(const config::Settings& settings);
};

}  // namespace sluice::redis
