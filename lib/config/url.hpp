#pragma once
// URL parsing for the two endpoints sluiced talks to: the Redis broker
// (redis://, rediss://, unix://, or Celery's sentinel:// list) and the
// Sluice API (https://, http://).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/expected.hpp"

namespace sluice::config {

// One server address (a sentinel, or the master a sentinel names).
struct RedisEndpoint {
  std::string host;  // IPv6 without brackets
  std::uint16_t port = 0;

  bool operator==(const RedisEndpoint&) const = default;
};

struct RedisUrl {
  enum class Transport { tcp, tls, unix_socket };
  Transport transport = Transport::tcp;
  std::string host;         // tcp/tls; IPv6 without brackets
  std::uint16_t port = 6379;
  std::string socket_path;  // unix
  std::string username;     // ACL user, percent-decoded; empty = default user
  std::string password;     // percent-decoded; never printed
  int db = 0;
  // sentinel://: the sentinels to ask for the master, in the URL's order.
  // Empty for every other scheme. host/port then stay empty until a
  // connection learns the master's address; username/password/db are the
  // master's, as in kombu (the sentinels' own come from other settings).
  std::vector<RedisEndpoint> sentinels;

  bool uses_sentinel() const { return !sentinels.empty(); }
  bool operator==(const RedisUrl&) const = default;
};

struct HttpUrl {
  bool tls = true;
  std::string host;
  std::uint16_t port = 443;
  std::string path;  // base path without trailing '/', e.g. "/api"

  bool operator==(const HttpUrl&) const = default;
};

// Parses redis://[user:password@]host[:port][/db], rediss://…,
// unix:///path/to.sock[?db=N][&password=…] and Celery's Sentinel list
// sentinel://[:password@]host[:port][;sentinel://host[:port]…][/db] (port
// 26379 by default). Errors say what is wrong.
Expected<RedisUrl, std::string> parse_redis_url(std::string_view text);

// The URL with its password replaced by "****" (for logs and --check-config).
std::string masked_redis_url(std::string_view text);

Expected<HttpUrl, std::string> parse_http_url(std::string_view text);

// Joins the base path and an endpoint ("ingest") with exactly one '/'.
std::string join_path(const HttpUrl& base, std::string_view endpoint);

bool is_loopback_host(std::string_view host);

std::string percent_decode(std::string_view text);

}  // namespace sluice::config
