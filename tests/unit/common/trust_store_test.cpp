// The trust store: a hashed directory when it has entries (certificates read
// on demand), the bundle file otherwise, and the environment's choice as
// OpenSSL itself would make it. Checked by verifying real certificates.

#include "common/trust_store.hpp"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "support/temp_dir.hpp"
#include "support/test_pki.hpp"

namespace sluice {
namespace {

using testing::TempDir;
using testing::TestPki;

std::unique_ptr<X509, decltype(&X509_free)> first_cert(const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  return {PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), X509_free};
}

std::string read_file(const std::string& path) {
  // Through rdbuf, not istreambuf_iterator: g++ 12 reports a false
  // -Wnull-dereference inside streambuf once the iterator loop is inlined
  // (seen in the unity build of the unit tests).
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_file(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

// `<subject hash>.0`, the name c_rehash gives a CA certificate.
std::string hashed_name(const std::string& ca_pem) {
  char name[32];
  std::snprintf(name, sizeof name, "%08lx.0", X509_subject_name_hash(first_cert(ca_pem).get()));
  return name;
}

// Whether the leaf of `chain_pem` verifies against what `context` trusts.
bool trusted(asio::ssl::context& context, const std::string& chain_pem) {
  auto leaf = first_cert(chain_pem);
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> check(X509_STORE_CTX_new(), X509_STORE_CTX_free);
  X509_STORE_CTX_init(check.get(), SSL_CTX_get_cert_store(context.native_handle()), leaf.get(), nullptr);
  return X509_verify_cert(check.get()) == 1;
}

TEST(TrustStore, AHashedDirectoryIsUsed) {
  TestPki pki;
  TempDir certs;
  const std::string ca = read_file(pki.ca_file());
  write_file(certs.file(hashed_name(ca)), ca);
  asio::ssl::context context(asio::ssl::context::tls_client);
  EXPECT_FALSE(trust_cas(context, {"/nonexistent/bundle.pem", certs.path()}));
  EXPECT_TRUE(trusted(context, pki.server.cert_pem));
  EXPECT_FALSE(trusted(context, pki.untrusted_server.cert_pem));
}

TEST(TrustStore, WithoutHashedEntriesTheBundleIsRead) {
  TestPki pki;
  TempDir certs;
  write_file(certs.file("README"), "not a certificate\n");
  asio::ssl::context context(asio::ssl::context::tls_client);
  EXPECT_FALSE(trust_cas(context, {pki.ca_file(), certs.path()}));
  EXPECT_TRUE(trusted(context, pki.server.cert_pem));
  EXPECT_FALSE(trusted(context, pki.untrusted_server.cert_pem));
}

TEST(TrustStore, NeitherADirectoryNorABundleIsAnError) {
  TempDir certs;
  asio::ssl::context context(asio::ssl::context::tls_client);
  EXPECT_TRUE(trust_cas(context, {"/nonexistent/bundle.pem", certs.path()}));
}

TEST(TrustStore, TheEnvironmentChoosesAsForOpenSsl) {
  TestPki pki;
  ASSERT_EQ(setenv("SSL_CERT_FILE", pki.ca_file().c_str(), 1), 0);
  const TrustPaths paths = system_trust_paths();
  unsetenv("SSL_CERT_FILE");
  EXPECT_TRUE(paths.from_environment);
  EXPECT_EQ(paths.file, pki.ca_file());
  asio::ssl::context context(asio::ssl::context::tls_client);
  ASSERT_EQ(setenv("SSL_CERT_FILE", pki.ca_file().c_str(), 1), 0);
  EXPECT_FALSE(trust_cas(context, paths));
  unsetenv("SSL_CERT_FILE");
  EXPECT_TRUE(trusted(context, pki.server.cert_pem));
}

TEST(TrustStore, VariablesNamingTheDefaultsAreNoChoice) {
  if (!std::filesystem::exists(X509_get_default_cert_file())) GTEST_SKIP() << "no system CA bundle";
  ASSERT_EQ(setenv("SSL_CERT_FILE", X509_get_default_cert_file(), 1), 0);
  const TrustPaths paths = system_trust_paths();
  unsetenv("SSL_CERT_FILE");
  EXPECT_FALSE(paths.from_environment);
}

TEST(TrustStore, WithoutTheEnvironmentOpenSslDefaultsApply) {
  unsetenv("SSL_CERT_FILE");
  unsetenv("SSL_CERT_DIR");
  const TrustPaths paths = system_trust_paths();
  EXPECT_FALSE(paths.from_environment);
  EXPECT_EQ(paths.file, X509_get_default_cert_file());
  EXPECT_EQ(paths.dir, X509_get_default_cert_dir());
}

}  // namespace
}  // namespace sluice
