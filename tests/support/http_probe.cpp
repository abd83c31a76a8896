#include "support/http_probe.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>

namespace sluice::testing {
namespace {

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left < 0 ? 0 : static_cast<int>(left);
}

// Appends what is readable; false at EOF, reset, or deadline.
bool read_some(int fd, std::string& out, Clock::time_point deadline, bool& closed) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, remaining_ms(deadline)) <= 0) return false;
  char buf[4096];
  const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  if (n <= 0) {
    closed = n == 0 || errno == ECONNRESET || errno == EPIPE;
    return false;
  }
  out.append(buf, static_cast<size_t>(n));
  return true;
}

}  // namespace

std::optional<TestConnection> TestConnection::open(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::nullopt;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return std::nullopt;
  }
  return TestConnection(fd);
}

TestConnection::TestConnection(TestConnection&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

TestConnection::~TestConnection() { close(); }

void TestConnection::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool TestConnection::send(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

std::string TestConnection::read_until_closed(std::chrono::milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  std::string out;
  bool closed = false;
  while (read_some(fd_, out, deadline, closed)) {
  }
  return out;
}

bool TestConnection::wait_closed(std::chrono::milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  std::string ignored;
  bool closed = false;
  while (read_some(fd_, ignored, deadline, closed)) {
  }
  return closed;
}

std::optional<HttpReply> parse_http_reply(std::string_view raw) {
  const size_t head_end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.", 0) != 0 || head_end == std::string_view::npos || raw.size() < 12) return std::nullopt;
  HttpReply reply;
  reply.status = std::atoi(std::string(raw.substr(9, 3)).c_str());
  std::string_view head = raw.substr(0, head_end);
  head.remove_prefix(std::min(head.size(), head.find("\r\n") + 2));
  while (!head.empty()) {
    const size_t end = head.find("\r\n");
    const std::string_view line = head.substr(0, end);
    const size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      std::string name(line.substr(0, colon));
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      reply.headers[name] = std::string(value);
    }
    head.remove_prefix(end == std::string_view::npos ? head.size() : end + 2);
  }
  reply.body = std::string(raw.substr(head_end + 4));
  return reply;
}

HttpReply http_request(std::uint16_t port, std::string_view method, std::string_view target) {
  auto connection = TestConnection::open(port);
  if (!connection) return {};
  const std::string request = std::string(method) + " " + std::string(target) +
                              " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  if (!connection->send(request)) return {};
  return parse_http_reply(connection->read_until_closed()).value_or(HttpReply{});
}

}  // namespace sluice::testing
