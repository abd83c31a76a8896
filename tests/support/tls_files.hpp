#pragma once
// Test certificates made with the openssl CLI: a CA, a server certificate
// for 127.0.0.1 and localhost signed by it, a client certificate signed by
// it, and a second, unrelated CA (a client trusting only that one must
// refuse the server). EC P-256 keys: generation takes milliseconds.

#include <string>

namespace sluice::testing {

struct TlsFiles {
  std::string ca_cert;
  std::string server_cert;
  std::string server_key;
  std::string client_cert;
  std::string client_key;
  std::string other_ca_cert;
};

// Writes the files into `dir`; throws std::runtime_error if openssl fails.
TlsFiles generate_tls_files(const std::string& dir);

}  // namespace sluice::testing
