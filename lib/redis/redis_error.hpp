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
    auth,      // AUTH or SELECT refused by the server (credentials, ACL, db)
    io,        // read/write failed on an established connection
    closed,    // the server or close() ended the connection
    protocol,  // the bytes were not valid RESP
    too_large,  // a reply declared more bytes or elements than sluiced reads (ReplyLimits)
    busy,       // the server cannot serve yet: LOADING, BUSY, MASTERDOWN, TRYAGAIN
  };
  Kind kind = Kind::io;
  std::string message;

  bool operator==(const RedisError&) const = default;
};

std::string_view to_string(RedisError::Kind kind);

// The code an error reply starts with: "LOADING", "WRONGPASS", "ERR", …
std::string_view reply_error_code(std::string_view reply_text);

// An error reply to `command` as a RedisError named for what it is: busy
// for LOADING, BUSY, MASTERDOWN, TRYAGAIN (retrying helps); auth for
// WRONGPASS, NOAUTH, NOPERM, READONLY and any other code. The message says
// what the code means, then quotes the reply; `otherwise` is what an
// unknown code means here ("" = nothing to add). Not redacted: callers do.
RedisError refused_by_server(const std::string& command, const std::string& reply_text, std::string_view otherwise);

// `text` with every occurrence of `secret` replaced by "****" (no-op for "").
std::string redact_secret(std::string text, std::string_view secret);

inline std::ostream& operator<<(std::ostream& os, const RedisError& e) {
  return os << to_string(e.kind) << ": " << e.message;
}

}  // namespace sluice::redis
