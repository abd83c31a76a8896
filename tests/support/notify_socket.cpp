#include "support/notify_socket.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>
#include <random>

namespace sluice::testing {

NotifySocket::NotifySocket(Kind kind) {
  fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return;
  std::string name;
  if (kind == Kind::path) {
    dir_.emplace();
    name = dir_->file("notify");
    address_ = name;
  } else {
    name = std::string(1, '\0') + "sluiced-test-" + std::to_string(::getpid()) + "-" +
           std::to_string(std::random_device{}());
    address_ = "@" + name.substr(1);
  }
  sockaddr_un addr{};
  if (name.size() >= sizeof addr.sun_path) {  // a long $TMPDIR: the path would not fit
    ::close(fd_);
    fd_ = -1;
    return;
  }
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, name.data(), name.size());
  const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
  if (::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), length) != 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

NotifySocket::~NotifySocket() {
  if (fd_ >= 0) ::close(fd_);
}

std::optional<std::string> NotifySocket::receive(std::chrono::milliseconds limit) {
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(limit.count())) <= 0) return std::nullopt;
  char buf[4096];
  const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
  if (n < 0) return std::nullopt;
  return std::string(buf, static_cast<size_t>(n));
}

}  // namespace sluice::testing
