#pragma once
// TestConnectProxy: a minimal HTTP CONNECT proxy on 127.0.0.1 port 0, on its
// own thread, for tests of the ingest client's proxy support. It records the
// CONNECT targets and Proxy-Authorization values it saw, then relays bytes.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sluice::testing {

class TestConnectProxy {
 public:
  TestConnectProxy();
  ~TestConnectProxy();
  TestConnectProxy(const TestConnectProxy&) = delete;
  TestConnectProxy& operator=(const TestConnectProxy&) = delete;

  std::uint16_t port() const;
  void refuse_with(int status);  // answer every CONNECT with this status (e.g. 407)

  std::vector<std::string> targets() const;         // "host:port" of each CONNECT
  std::vector<std::string> authorizations() const;  // Proxy-Authorization of each CONNECT

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::testing
