#pragma once
// A small blocking HTTP/1.1 client for tests, written on plain POSIX
// sockets so it shares no code with the server it checks: raw bytes out,
// the raw answer back, and a parser for the answer.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::testing {

// One TCP connection to 127.0.0.1:port; closed on destruction.
class TestConnection {
 public:
  static std::optional<TestConnection> open(std::uint16_t port);
  TestConnection(TestConnection&& other) noexcept;
  TestConnection& operator=(TestConnection&&) = delete;
  ~TestConnection();

  bool send(std::string_view bytes);  // false once the peer is gone
  void close();
  // Everything until the peer closes, or until `limit` passes.
  std::string read_until_closed(std::chrono::milliseconds limit = std::chrono::seconds(30));
  // True when the peer closes (EOF or reset) before `limit`.
  bool wait_closed(std::chrono::milliseconds limit = std::chrono::seconds(30));

 private:
  explicit TestConnection(int fd) : fd_(fd) {}
  int fd_ = -1;
};

struct HttpReply {
  int status = 0;  // 0: nothing parseable arrived
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

std::optional<HttpReply> parse_http_reply(std::string_view raw);

// `method target` with Connection: close; status 0 when no answer came.
HttpReply http_request(std::uint16_t port, std::string_view method, std::string_view target);
inline HttpReply http_get(std::uint16_t port, std::string_view target) { return http_request(port, "GET", target); }

}  // namespace sluice::testing
