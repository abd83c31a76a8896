#include "common/tls_peer.hpp"

#include <openssl/x509_vfy.h>

namespace sluice {

bool set_server_name(SSL* ssl, const std::string& host) {
  boost::system::error_code not_an_address;
  asio::ip::make_address(host, not_an_address);
  if (!not_an_address) return true;
  // SSL_set_tlsext_host_name() spelled out: the macro uses a C cast.
  return SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, const_cast<char*>(host.c_str())) == 1;
}

std::function<bool(bool, asio::ssl::verify_context&)> peer_name_check(const std::string& host) {
  return [verify = asio::ssl::host_name_verification(host)](bool preverified,
                                                             asio::ssl::verify_context& context) mutable {
    const bool ok = verify(preverified, context);
    if (preverified && !ok) X509_STORE_CTX_set_error(context.native_handle(), X509_V_ERR_HOSTNAME_MISMATCH);
    return ok;
  };
}

}  // namespace sluice
