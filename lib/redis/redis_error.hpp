#pragma once
// RedisError: why a Redis operation failed, as a value. The message is for
// logs and /health; it never contains the password (see redact_secret).

#include <ostream>
#include <string>
#include <string_view>

namespace sluice::redis {

struct RedisError {
  enum class Kind {
    resolve,   // host name did not resolve
    connect,   // TCP/unix connect refused or unreachable
    tls,       // TLS set-up, handshake or certificate verification
    timeout,   // an operation ran past its deadline
    auth,      // AUTH or SELECT refused by the server
    io,        // read/write failed on an established connection
    closed,    // the server or close() ended the connection
    protocol,  // the bytes were not valid RESP
  };
  Kind kind = Kind::io;
  std::string message;

  bool operator==(const RedisError&) const = default;
};

std::string_view to_string(RedisError::Kind kind);

// `text` with every occurrence of `secret` replaced by "****" (no-op for "").
std::string redact_secret(std::string text, std::string_view secret);

inline std::ostream& operator<<(std::ostream& os, const RedisError& e) {
  return os << to_string(e.kind) << ": " << e.message;
}

}  // namespace sluice::redis
