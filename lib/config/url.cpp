#include "config/url.hpp"

#include <arpa/inet.h>
#include <strings.h>

#include <charconv>
#include <optional>

#include "common/hex.hpp"
#include "common/redact.hpp"

namespace sluice::config {
namespace {

using UrlError = Unexpected<std::string>;

std::optional<long> parse_number(std::string_view text, long max) {
  long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value < 0 || value > max) {
    return std::nullopt;
  }
  return value;
}

struct HostPort {
  std::string host;
  std::optional<std::uint16_t> port;
};

// "host", "host:port", "[v6]", "[v6]:port".
Expected<HostPort, std::string> split_host_port(std::string_view text) {
  HostPort out;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos) return UrlError("unclosed '[' in host");
    out.host = std::string(text.substr(1, close - 1));
    auto rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return UrlError("unexpected text after ']'");
      port_text = rest.substr(1);
    }
  } else {
    auto colon = text.rfind(':');
    out.host = std::string(text.substr(0, colon));
    if (colon != std::string_view::npos) port_text = text.substr(colon + 1);
  }
  if (out.host.empty()) return UrlError("host is missing");
  if (!port_text.empty()) {
    auto port = parse_number(port_text, 65535);
    if (!port || *port == 0) return UrlError("port must be a number from 1 to 65535");
    out.port = static_cast<std::uint16_t>(*port);
  }
  return out;
}

// "[userinfo@]host[:port][/path][?query]" split where its parts end.
// Passwords are often pasted without percent-encoding, so everything before
// the last '@' (ahead of any query) is the userinfo, '/' included: a path
// (a db number) never contains '@'.
struct Authority {
  std::optional<std::string_view> userinfo;
  std::string_view host_port;
  std::optional<std::string_view> path;  // after the '/', without the query
};

Authority split_authority(std::string_view rest) {
  Authority out;
  const std::string_view head = rest.substr(0, rest.find('?'));
  const auto at = head.rfind('@');
  std::size_t host_start = 0;
  if (at != std::string_view::npos) {
    out.userinfo = head.substr(0, at);
    host_start = at + 1;
  }
  const auto slash = head.find('/', host_start);
  out.host_port = head.substr(host_start, slash == std::string_view::npos ? std::string_view::npos : slash - host_start);
  if (slash != std::string_view::npos) out.path = head.substr(slash + 1);
  return out;
}

void take_credentials(std::string_view userinfo, RedisUrl& url) {
  auto colon = userinfo.find(':');
  if (colon == std::string_view::npos) {
    url.password = percent_decode(userinfo);  // redis://secret@host: a bare password
    return;
  }
  url.username = percent_decode(userinfo.substr(0, colon));
  url.password = percent_decode(userinfo.substr(colon + 1));
}

// Query parameters of unix:// URLs: db=N and password=….
std::optional<std::string> take_query(std::string_view query, RedisUrl& url) {
  while (!query.empty()) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    auto eq = pair.find('=');
    auto key = pair.substr(0, eq);
    auto value = eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    if (key == "db") {
      auto db = parse_number(value, 1'000'000);
      if (!db) return "db must be a non-negative number";
      url.db = static_cast<int>(*db);
    } else if (key == "password") {
      url.password = percent_decode(value);
    } else if (key == "user" || key == "username") {
      url.username = percent_decode(value);
    } else {
      return "unknown query parameter '" + std::string(key) + "' (known: db, password, user)";
    }
  }
  return std::nullopt;
}

Expected<RedisUrl, std::string> parse_unix_url(std::string_view rest) {
  RedisUrl url;
  url.transport = RedisUrl::Transport::unix_socket;
  auto question = rest.find('?');
  url.socket_path = std::string(rest.substr(0, question));
  if (url.socket_path.empty() || url.socket_path.front() != '/') {
    return UrlError("unix socket path must be absolute, e.g. unix:///run/redis/redis.sock");
  }
  if (question != std::string_view::npos) {
    if (auto problem = take_query(rest.substr(question + 1), url)) return UrlError(*problem);
  }
  return url;
}

constexpr std::uint16_t kSentinelPort = 26379;

Expected<RedisUrl, std::string> parse_tcp_url(std::string_view rest, std::uint16_t default_port) {
  RedisUrl url;
  const Authority authority = split_authority(rest);
  if (authority.userinfo) take_credentials(*authority.userinfo, url);
  auto host_port = split_host_port(authority.host_port);
  if (!host_port) return UrlError(host_port.error());
  url.host = host_port->host;
  url.port = host_port->port.value_or(default_port);
  if (authority.path && !authority.path->empty()) {
    auto db = parse_number(*authority.path, 1'000'000);
    if (!db) return UrlError("database must be a number after the '/', e.g. redis://host:6379/0");
    url.db = static_cast<int>(*db);
  }
  return url;
}

// Celery's "sentinel://a:26379;sentinel://b:26379/0". kombu takes the
// password and db from the first URL; people also write them on every one,
// or the db after the last. Each may carry them, and where several do they
// must agree: a list that names two databases or passwords is a mistake.
Expected<RedisUrl, std::string> parse_sentinel_list(std::string_view text) {
  RedisUrl out;
  bool have_db = false;
  bool have_password = false;
  std::size_t index = 0;
  while (!text.empty()) {
    const auto semicolon = text.find(';');
    const std::string_view item = text.substr(0, semicolon);
    text = semicolon == std::string_view::npos ? std::string_view{} : text.substr(semicolon + 1);
    if (semicolon != std::string_view::npos && text.empty()) return UrlError("the sentinel list ends in ';'");
    ++index;
    const std::string which = "sentinel URL " + std::to_string(index);
    if (!item.starts_with("sentinel://")) {
      return UrlError(which + " must start with sentinel:// (all of the list, separated by ';')");
    }
    auto one = parse_tcp_url(item.substr(11), kSentinelPort);
    if (!one) return UrlError(which + ": " + one.error());
    const bool names_db = split_authority(item.substr(11)).path.has_value();
    if (names_db) {
      if (have_db && one->db != out.db) return UrlError("the sentinel URLs name different databases");
      out.db = one->db;
      have_db = true;
    }
    if (!one->password.empty() || !one->username.empty()) {
      if (have_password && (one->password != out.password || one->username != out.username)) {
        return UrlError("the sentinel URLs carry different credentials");
      }
      out.username = one->username;
      out.password = one->password;
      have_password = true;
    }
    out.sentinels.push_back({one->host, one->port});
  }
  if (out.sentinels.empty()) return UrlError("no sentinel address");
  return out;
}

}  // namespace

std::string percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const int hi = hex_value(text[i + 1]);
      const int lo = hex_value(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

Expected<RedisUrl, std::string> parse_redis_url(std::string_view text) {
  auto scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) {
    return UrlError("must start with redis://, rediss:// or unix://");
  }
  auto scheme = text.substr(0, scheme_end);
  auto rest = text.substr(scheme_end + 3);
  if (scheme == "unix") return parse_unix_url(rest);
  if (scheme == "sentinel") return parse_sentinel_list(text);
  if (scheme != "redis" && scheme != "rediss") {
    return UrlError("unknown scheme '" + std::string(scheme) + "' (use redis, rediss, unix or sentinel)");
  }
  auto url = parse_tcp_url(rest, 6379);
  if (url && scheme == "rediss") url->transport = RedisUrl::Transport::tls;
  return url;
}

std::string masked_redis_url(std::string_view text) {
  // Without a scheme the text is no URL, and all before its '@' may be secret.
  if (text.find("://") == std::string_view::npos) {
    const auto at = text.substr(0, text.find('?')).rfind('@');
    if (at != std::string_view::npos) return "****" + Redactor{}(text.substr(at));
  }
  return Redactor{}(text);
}

Expected<HttpUrl, std::string> parse_http_url(std::string_view text) {
  HttpUrl url;
  std::string_view rest;
  if (text.starts_with("https://")) {
    rest = text.substr(8);
  } else if (text.starts_with("http://")) {
    url.tls = false;
    url.port = 80;
    rest = text.substr(7);
  } else {
    return UrlError("must start with https:// (or http:// for a local test server)");
  }
  auto slash = rest.find('/');
  auto authority = rest.substr(0, slash);
  if (split_authority(rest).userinfo) {
    return UrlError("must not contain credentials; the API key goes in SLUICE_API_KEY");
  }
  auto host_port = split_host_port(authority);
  if (!host_port) return UrlError(host_port.error());
  url.host = host_port->host;
  if (host_port->port) url.port = *host_port->port;
  if (slash != std::string_view::npos) url.path = std::string(rest.substr(slash));
  if (url.path.find_first_of("?#") != std::string::npos) {
    return UrlError("must not contain a query or fragment");
  }
  while (!url.path.empty() && url.path.back() == '/') url.path.pop_back();
  return url;
}

std::string join_path(const HttpUrl& base, std::string_view endpoint) {
  while (!endpoint.empty() && endpoint.front() == '/') endpoint.remove_prefix(1);
  return base.path + "/" + std::string(endpoint);
}

// Parsed, never compared as text: "127.0.0.1.attacker.example" starts like
// a loopback address and is a name anyone can point anywhere.
bool is_loopback_host(std::string_view host) {
  const std::string text(host);
  if (strcasecmp(text.c_str(), "localhost") == 0) return true;
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, text.c_str(), &v6) != 1) return false;
  if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
  return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
}

}  // namespace sluice::config
