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
  }
  return "unknown";
}

std::string redact_secret(std::string text, std::string_view secret) {
  if (secret.empty()) return text;
  for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 4)) {
    text.replace(at, secret.size(), "****");
  }
  return text;
}

}  // namespace sluice::redis
