#pragma once
// TestPki: a throwaway PKI for TLS tests, generated with OpenSSL's API into a
// private temp dir (removed on destruction): a trusted CA with a server
// certificate for 127.0.0.1 and localhost, a second unrelated CA with its own
// server certificate, and a certificate of the trusted CA for the wrong name.

#include <string>

namespace sluice::testing {

struct PemIdentity {
  std::string cert_pem;  // leaf first, then the issuing CA
  std::string key_pem;
};

class TestPki {
 public:
  TestPki();
  ~TestPki();
  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;

  const std::string& ca_file() const { return ca_file_; }              // the CA clients should trust
  const std::string& other_ca_file() const { return other_ca_file_; }  // an unrelated CA
  const std::string& dir() const { return dir_; }

  PemIdentity server;             // trusted CA; SAN IP:127.0.0.1, DNS:localhost
  PemIdentity untrusted_server;   // other CA; same names
  PemIdentity wrong_host_server;  // trusted CA; SAN DNS:wrong.example only

 private:
  std::string dir_;
  std::string ca_file_;
  std::string other_ca_file_;
};

}  // namespace sluice::testing
