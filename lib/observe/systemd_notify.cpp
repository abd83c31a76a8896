#include "observe/systemd_notify.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <charconv>
#include <cstddef>
#include <cstring>

namespace sluice::observe {
namespace {

bool to_number(std::string_view text, std::uint64_t& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return !text.empty() && ec == std::errc{} && end == text.data() + text.size();
}

}  // namespace

std::string notify_message(NotifyState state, std::string_view status) {
  std::string out;
  switch (state) {
    case NotifyState::ready: out = "READY=1"; break;
    case NotifyState::watchdog: out = "WATCHDOG=1"; break;
    case NotifyState::stopping: out = "STOPPING=1"; break;
    case NotifyState::status: break;
  }
  if (status.empty()) return out;
  if (!out.empty()) out += '\n';
  out += "STATUS=";
  for (char c : status) out += (c == '\n' || c == '\r') ? ' ' : c;
  return out;
}

Expected<NotifyTarget, std::string> parse_notify_socket(std::string_view value) {
  if (value.size() < 2 || (value.front() != '/' && value.front() != '@')) {
    return Unexpected(std::string("NOTIFY_SOCKET is neither a path nor @abstract"));
  }
  if (value.size() >= sizeof(sockaddr_un::sun_path)) return Unexpected(std::string("NOTIFY_SOCKET is too long"));
  std::string address(value);
  if (address.front() == '@') address.front() = '\0';
  return NotifyTarget{std::move(address)};
}

std::optional<std::chrono::microseconds> watchdog_period(std::string_view watchdog_usec,
                                                          std::string_view watchdog_pid, pid_t self) {
  std::uint64_t usec = 0, pid = 0;
  if (!to_number(watchdog_usec, usec) || usec == 0) return std::nullopt;
  if (!watchdog_pid.empty() && (!to_number(watchdog_pid, pid) || pid != static_cast<std::uint64_t>(self))) {
    return std::nullopt;
  }
  return std::chrono::microseconds(static_cast<std::chrono::microseconds::rep>(usec / 2));
}

bool send_notify(const NotifyTarget& target, std::string_view message) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (target.address.empty() || target.address.size() >= sizeof addr.sun_path) return false;
  std::memcpy(addr.sun_path, target.address.data(), target.address.size());
  // An abstract address is exactly as long as its bytes; a path ends at its NUL.
  const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + target.address.size() +
                                             (target.address.front() == '\0' ? 0 : 1));
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  const auto sent = ::sendto(fd, message.data(), message.size(), MSG_NOSIGNAL | MSG_DONTWAIT,
                             reinterpret_cast<const sockaddr*>(&addr), length);
  ::close(fd);
  return sent == static_cast<ssize_t>(message.size());
}

}  // namespace sluice::observe
