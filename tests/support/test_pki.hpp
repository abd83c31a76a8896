#pragma once
// TestPki: a throwaway PKI for TLS tests, generated with OpenSSL's API (no
// openssl processes) into a private TempDir removed on destruction: a
// trusted CA with a server certificate for 127.0.0.1 and localhost and a
// client certificate, a second unrelated CA with its own server
// certificate, and a certificate of the trusted CA for the wrong name.
// EC P-256 keys: generation takes milliseconds.

#include <string>

#include "support/temp_dir.hpp"

namespace sluice::testing {

struct PemIdentity {
  std::string cert_pem;  // leaf first, then the issuing CA
  std::string key_pem;
};

// The PKI as files, for programs and options that take paths (redis-server,
// ConnectOptions): all in TestPki::dir().
struct TlsFiles {
  std::string ca_cert;        // the trusted CA
  std::string server_cert;    // TestPki::server, chain
  std::string server_key;
  std::string client_cert;    // TestPki::client, chain
  std::string client_key;
  std::string other_ca_cert;  // the unrelated CA
};

class TestPki {
 public:
  TestPki();
  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;

  const std::string& ca_file() const { return files_.ca_cert; }              // the CA clients should trust
  const std::string& other_ca_file() const { return files_.other_ca_cert; }  // an unrelated CA
  const std::string& dir() const { return dir_.path(); }
  const TlsFiles& files() const { return files_; }

  PemIdentity server;             // trusted CA; SAN IP:127.0.0.1, DNS:localhost
  PemIdentity client;             // trusted CA; extendedKeyUsage clientAuth
  PemIdentity untrusted_server;   // other CA; same names
  PemIdentity wrong_host_server;  // trusted CA; SAN DNS:wrong.example only

 private:
  TempDir dir_;
  TlsFiles files_;
};

}  // namespace sluice::testing
