#pragma once
// Who a TLS client expects at the other end, set up one way for the Redis
// connection and the ingest API: SNI with the host name, and verification of
// the certificate chain and the host name (or IP address) it must carry.

#include <openssl/ssl.h>

#include <functional>
#include <string>

#include "common/asio.hpp"

#include <boost/asio/ssl.hpp>

namespace sluice {

// Sets SNI to `host` unless it is an IP address (SNI carries names only,
// RFC 6066 §3). false when OpenSSL refuses the name.
bool set_server_name(SSL* ssl, const std::string& host);

// The verify callback for `host`: the chain as OpenSSL judged it, and the
// name. A name mismatch is recorded as X509_V_ERR_HOSTNAME_MISMATCH, so the
// error says "hostname mismatch" rather than a bare "verify failed".
std::function<bool(bool, asio::ssl::verify_context&)> peer_name_check(const std::string& host);

// Both, on a client stream about to handshake with `host`.
template <class SslStream>
bool expect_peer(SslStream& stream, const std::string& host) {
  stream.set_verify_mode(asio::ssl::verify_peer);
  stream.set_verify_callback(peer_name_check(host));
  return set_server_name(stream.native_handle(), host);
}

}  // namespace sluice
