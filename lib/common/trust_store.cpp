#include "common/trust_store.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string_view>

#include "common/hex.hpp"

namespace sluice {
namespace {

// "<8 hex digits>.<digits>": how c_rehash names the certificates it links.
bool is_hashed_name(std::string_view name) {
  if (name.size() < 10 || name[8] != '.') return false;
  const auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  return std::ranges::all_of(name.substr(0, 8), [](char c) { return hex_value(c) >= 0; }) &&
         std::ranges::all_of(name.substr(9), is_digit);
}

bool has_hashed_entries(const std::string& dir) {
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (is_hashed_name(it->path().filename().string())) return true;
  }
  return false;
}

boost::system::error_code last_ssl_error() {
  return {static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category()};
}

// Some hosts export SSL_CERT_FILE / SSL_CERT_DIR naming the system's own
// bundle and directory; that is no choice of their own.
bool same_path(const std::string& a, const std::string& b) {
  std::error_code ec;
  return std::filesystem::equivalent(a, b, ec);
}

}  // namespace

TrustPaths system_trust_paths() {
  TrustPaths paths{X509_get_default_cert_file(), X509_get_default_cert_dir()};
  if (const char* file = std::getenv(X509_get_default_cert_file_env()); file && !same_path(file, paths.file)) {
    paths.file = file;
    paths.from_environment = true;
  }
  if (const char* dir = std::getenv(X509_get_default_cert_dir_env()); dir && !same_path(dir, paths.dir)) {
    paths.dir = dir;
    paths.from_environment = true;
  }
  return paths;
}

boost::system::error_code trust_cas(asio::ssl::context& context, const TrustPaths& paths) {
  boost::system::error_code ec;
  SSL_CTX* ctx = context.native_handle();
  ::ERR_clear_error();
  if (paths.from_environment) {
    context.set_default_verify_paths(ec);  // reads the same variables
  } else if (has_hashed_entries(paths.dir)) {
    if (::SSL_CTX_load_verify_dir(ctx, paths.dir.c_str()) != 1) ec = last_ssl_error();
  } else if (::SSL_CTX_load_verify_file(ctx, paths.file.c_str()) != 1) {
    ec = last_ssl_error();
  }
  return ec;
}

}  // namespace sluice
