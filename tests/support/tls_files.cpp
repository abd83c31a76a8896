#include "support/tls_files.hpp"

#include <fstream>
#include <stdexcept>
#include <vector>

#include "support/child_process.hpp"

namespace sluice::testing {
namespace {

void openssl(const std::string& dir, const std::vector<std::string>& args) {
  std::vector<std::string> argv{"/usr/bin/openssl"};
  argv.insert(argv.end(), args.begin(), args.end());
  const ProcessSpec spec{argv, {}, dir, dir + "/openssl.log"};
  if (ChildProcess::run(spec) != 0) throw std::runtime_error("openssl " + args.front() + " failed; see " + dir + "/openssl.log");
}

void make_ca(const std::string& dir, const std::string& name, const std::string& subject) {
  openssl(dir, {"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                "-subj", subject, "-keyout", name + ".key", "-out", name + ".crt", "-addext",
                "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"});
}

void make_leaf(const std::string& dir, const std::string& name, const std::string& subject,
               const std::string& extensions, const std::string& serial) {
  std::ofstream(dir + "/" + name + ".ext") << extensions;
  openssl(dir, {"req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj",
                subject, "-keyout", name + ".key", "-out", name + ".csr"});
  openssl(dir, {"x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-set_serial", serial,
                "-days", "2", "-extfile", name + ".ext", "-out", name + ".crt"});
}

}  // namespace

TlsFiles generate_tls_files(const std::string& dir) {
  make_ca(dir, "ca", "/CN=sluiced test CA");
  make_ca(dir, "other-ca", "/CN=unrelated test CA");
  make_leaf(dir, "server", "/CN=localhost",
            "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n", "1001");
  make_leaf(dir, "client", "/CN=sluiced test client", "extendedKeyUsage=clientAuth\n", "1002");
  const auto p = [&dir](const std::string& f) { return dir + "/" + f; };
  return {p("ca.crt"), p("server.crt"), p("server.key"), p("client.crt"), p("client.key"), p("other-ca.crt")};
}

}  // namespace sluice::testing
