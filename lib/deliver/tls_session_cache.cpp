#include "deliver/tls_session_cache.hpp"

namespace sluice::deliver {

TlsSessionCache::TlsSessionCache(SSL_CTX* context) : context_(context) {
  SSL_CTX_set_app_data(context_, this);
  // Client-side caching through the callback only: OpenSSL's internal store
  // is keyed for servers.
  SSL_CTX_set_session_cache_mode(context_, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  SSL_CTX_sess_set_new_cb(context_, &TlsSessionCache::on_new_session);
}

TlsSessionCache::~TlsSessionCache() {
  SSL_CTX_sess_set_new_cb(context_, nullptr);
  SSL_CTX_set_app_data(context_, nullptr);
  if (latest_) SSL_SESSION_free(latest_);
}

int TlsSessionCache::on_new_session(SSL* ssl, SSL_SESSION* session) {
  auto* cache = static_cast<TlsSessionCache*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
  if (!cache) return 0;
  if (cache->latest_) SSL_SESSION_free(cache->latest_);
  cache->latest_ = session;
  return 1;  // we keep the reference
}

void TlsSessionCache::offer(SSL* ssl) const {
  if (latest_) SSL_set_session(ssl, latest_);
}

void TlsSessionCache::note_handshake(SSL* ssl) {
  if (SSL_session_reused(ssl)) ++resumed_;
}

}  // namespace sluice::deliver
