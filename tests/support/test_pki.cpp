#include "support/test_pki.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <memory>
#include <stdexcept>

namespace sluice::testing {
namespace {

struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertFree {
  void operator()(X509* c) const { X509_free(c); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Cert = std::unique_ptr<X509, CertFree>;

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("test PKI: ") + what);
}

Key make_key() {
  Key key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  check(key != nullptr, "EC key generation failed");
  return key;
}

void add_extension(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, ctx, nid, value);
  check(ext != nullptr, "bad extension");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

struct Issuer {
  X509* cert = nullptr;  // null: self-signed
  EVP_PKEY* key = nullptr;
};

enum class Role { ca, server, client };

// A certificate for `key`, self-signed when `issuer` is empty. `san` is the
// subjectAltName of a server certificate.
Cert make_cert(EVP_PKEY* key, const std::string& common_name, Issuer issuer, Role role, const char* san,
               long serial) {
  Cert cert(X509_new());
  X509* x = cert.get();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x), 7L * 24 * 3600);
  X509_set_pubkey(x, key);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(common_name.c_str()),
                             -1, -1, 0);
  X509_set_issuer_name(x, issuer.cert ? X509_get_subject_name(issuer.cert) : name);
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer.cert ? issuer.cert : x, x, nullptr, nullptr, 0);
  add_extension(x, &ctx, NID_subject_key_identifier, "hash");
  add_extension(x, &ctx, NID_authority_key_identifier, "keyid:always");
  if (role == Role::ca) {
    add_extension(x, &ctx, NID_basic_constraints, "critical,CA:TRUE");
    add_extension(x, &ctx, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_extension(x, &ctx, NID_basic_constraints, "CA:FALSE");
    add_extension(x, &ctx, NID_key_usage, "critical,digitalSignature");
    add_extension(x, &ctx, NID_ext_key_usage, role == Role::server ? "serverAuth" : "clientAuth");
    if (san != nullptr) add_extension(x, &ctx, NID_subject_alt_name, san);
  }
  check(X509_sign(x, issuer.key ? issuer.key : key, EVP_sha256()) > 0, "signing failed");
  return cert;
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_ctrl(bio, BIO_CTRL_INFO, 0, static_cast<void*>(&data));
  return std::string(data, static_cast<std::size_t>(n));
}

std::string cert_pem(X509* cert) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert);
  return bio_text(bio.get());
}

std::string key_pem(EVP_PKEY* key) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  return bio_text(bio.get());
}

struct Authority {
  Key key = make_key();
  Cert cert;
  explicit Authority(const std::string& name) : cert(make_cert(key.get(), name, {}, Role::ca, nullptr, 1)) {}

  PemIdentity issue(Role role, const char* san, long serial) const {
    Key leaf_key = make_key();
    const char* name = role == Role::server ? "sluice test server" : "sluice test client";
    Cert leaf = make_cert(leaf_key.get(), name, {cert.get(), key.get()}, role, san, serial);
    return PemIdentity{cert_pem(leaf.get()) + cert_pem(cert.get()), key_pem(leaf_key.get())};
  }
};

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  check(static_cast<bool>(out), "cannot write PEM file");
}

}  // namespace

TestPki::TestPki() {
  const Authority trusted("sluice test CA");
  const Authority other("unrelated test CA");
  server = trusted.issue(Role::server, "IP:127.0.0.1,DNS:localhost", 2);
  client = trusted.issue(Role::client, nullptr, 3);
  wrong_host_server = trusted.issue(Role::server, "DNS:wrong.example", 4);
  untrusted_server = other.issue(Role::server, "IP:127.0.0.1,DNS:localhost", 2);
  files_ = TlsFiles{dir_.file("ca.pem"),     dir_.file("server.pem"), dir_.file("server.key"),
                    dir_.file("client.pem"), dir_.file("client.key"), dir_.file("other-ca.pem")};
  write_file(files_.ca_cert, cert_pem(trusted.cert.get()));
  write_file(files_.other_ca_cert, cert_pem(other.cert.get()));
  write_file(files_.server_cert, server.cert_pem);
  write_file(files_.server_key, server.key_pem);
  write_file(files_.client_cert, client.cert_pem);
  write_file(files_.client_key, client.key_pem);
}

}  // namespace sluice::testing
