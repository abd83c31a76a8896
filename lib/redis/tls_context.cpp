#include "redis/tls_context.hpp"

#include <string>

#include "common/trust_store.hpp"

namespace sluice::redis {
namespace {

Unexpected<RedisError> tls_setup_error(const std::string& what, const boost::system::error_code& ec) {
  return Unexpected(RedisError{RedisError::Kind::tls, what + ": " + ec.message()});
}

}  // namespace

Expected<std::shared_ptr<asio::ssl::context>, RedisError> make_tls_context(const ConnectOptions& options) {
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  boost::system::error_code ec;
  ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                       asio::ssl::context::no_tlsv1_1,
                   ec);
  if (ec) return tls_setup_error("cannot set TLS options", ec);
  ctx->set_verify_mode(asio::ssl::verify_peer, ec);
  if (ec) return tls_setup_error("cannot enable certificate verification", ec);
  if (options.ca_file.empty()) {
    if (const auto failed = trust_cas(*ctx, system_trust_paths()))
      return tls_setup_error("cannot load the system trust store", failed);
  } else {
    ctx->load_verify_file(options.ca_file, ec);
    if (ec) return tls_setup_error("cannot load CA file " + options.ca_file, ec);
  }
  if (!options.cert_file.empty()) {
    ctx->use_certificate_chain_file(options.cert_file, ec);
    if (ec) return tls_setup_error("cannot load client certificate " + options.cert_file, ec);
  }
  if (!options.key_file.empty()) {
    ctx->use_private_key_file(options.key_file, asio::ssl::context::pem, ec);
    if (ec) return tls_setup_error("cannot load client key " + options.key_file, ec);
  }
  return ctx;
}

}  // namespace sluice::redis
