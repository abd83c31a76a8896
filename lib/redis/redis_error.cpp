#include "redis/redis_error.hpp"

namespace sluice::redis {

std::string_view to_string(RedisError::Kind kind) {
  switch (kind) {
    case RedisError::Kind::resolve: return "resolve";
    case RedisError::Kind::connect: return "connect";
    case RedisError::Kind::tls: return "tls";
    case RedisError::Kind::timeout: return "timeout";
    case RedisError::Kind::auth: return "auth";
    case RedisError::Kind::io: return "io";
    case RedisError::Kind::closed: return "closed";
    case RedisError::Kind::protocol: return "protocol";
    case RedisError::Kind::too_large: return "too_large";
    case RedisError::Kind::busy: return "busy";
  }
  return "unknown";
}

namespace {

struct KnownError {
  std::string_view code;
  RedisError::Kind kind;
  std::string_view meaning;
};

// The error codes a connection can meet before it is of use, and what they
// mean for the operator. The transient ones are `busy`: retrying helps.
constexpr KnownError kKnownErrors[] = {
    {"LOADING", RedisError::Kind::busy, "Redis is loading its dataset into memory"},
    {"BUSY", RedisError::Kind::busy, "Redis is busy running a script"},
    {"MASTERDOWN", RedisError::Kind::busy, "the replica has lost its master"},
    {"TRYAGAIN", RedisError::Kind::busy, "the server says try again"},
    {"CLUSTERDOWN", RedisError::Kind::busy, "the cluster is down"},
    {"WRONGPASS", RedisError::Kind::auth, "wrong user name or password"},
    {"NOAUTH", RedisError::Kind::auth, "the server requires a password (set it in the Redis URL)"},
    {"NOPERM", RedisError::Kind::auth, "permission denied by the server's ACL"},
    {"READONLY", RedisError::Kind::auth, "the server is a read-only replica"},
};

}  // namespace

std::string_view reply_error_code(std::string_view reply_text) { return reply_text.substr(0, reply_text.find(' ')); }

RedisError refused_by_server(const std::string& command, const std::string& reply_text,
                             std::string_view otherwise) {
  const auto code = reply_error_code(reply_text);
  for (const auto& known : kKnownErrors) {
    if (known.code == code) {
      return {known.kind, command + " failed: " + std::string(known.meaning) + " (" + reply_text + ")"};
    }
  }
  if (otherwise.empty()) return {RedisError::Kind::auth, command + " failed: " + reply_text};
  return {RedisError::Kind::auth, command + " failed: " + std::string(otherwise) + " (" + reply_text + ")"};
}

std::string redact_secret(std::string text, std::string_view secret) {
  if (secret.empty()) return text;
  for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 4)) {
    text.replace(at, secret.size(), "****");
  }
  return text;
}

}  // namespace sluice::redis
