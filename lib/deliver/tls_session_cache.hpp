#pragma once
// TlsSessionCache: the client's latest TLS session with the API, so that a
// new pooled connection resumes it (an abbreviated handshake: no
// certificate chain sent and verified again) instead of starting over.
// Delivery opens connections on demand as concurrency grows; resumption
// keeps that cheap. One per TLS context; used on the delivery thread only.

#include <cstdint>

#include <openssl/ssl.h>

namespace sluice::deliver {

class TlsSessionCache {
 public:
  // Registers the cache on the context: new sessions land here.
  explicit TlsSessionCache(SSL_CTX* context);
  ~TlsSessionCache();
  TlsSessionCache(const TlsSessionCache&) = delete;
  TlsSessionCache& operator=(const TlsSessionCache&) = delete;

  // Before a handshake: offer the latest session, if any.
  void offer(SSL* ssl) const;
  // After a handshake: counts a resumed session.
  void note_handshake(SSL* ssl);

  std::uint64_t resumed() const { return resumed_; }

 private:
  static int on_new_session(SSL* ssl, SSL_SESSION* session);

  SSL_CTX* context_;
  SSL_SESSION* latest_ = nullptr;
  std::uint64_t resumed_ = 0;
};

}  // namespace sluice::deliver
