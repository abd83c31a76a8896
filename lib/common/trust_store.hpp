#pragma once
// The system's trusted CAs for verifying Redis and ingest servers, loaded
// the cheap way. OpenSSL's default paths parse the whole CA bundle file
// (~140 certificates) at start-up: ~0.8 MB of resident memory and ~0.1 s of
// CPU for the daemon's life. Debian also keeps the same CAs as a hashed
// directory (update-ca-certificates / c_rehash), from which OpenSSL reads a
// certificate only when a handshake needs it; sluiced uses that directory
// when it has entries and the bundle otherwise.

#include <string>

#include "common/asio.hpp"

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>

namespace sluice {

struct TrustPaths {
  std::string file;  // a PEM bundle
  std::string dir;   // a hashed directory (<subject hash>.N files)
  bool from_environment = false;  // SSL_CERT_FILE / SSL_CERT_DIR chose other ones
};

// OpenSSL's defaults, or what SSL_CERT_FILE / SSL_CERT_DIR say (variables
// that merely name the defaults again leave them the defaults).
TrustPaths system_trust_paths();

// Makes `context` trust the CAs at `paths`: the user's own choice through
// the environment exactly as OpenSSL would, else the hashed directory when
// it has entries, else the bundle file.
boost::system::error_code trust_cas(asio::ssl::context& context, const TrustPaths& paths);

}  // namespace sluice
