#pragma once
// A unix datagram socket standing in for systemd's notify socket in tests:
// bound to a fresh path (or an abstract name), it receives what a
// SystemdNotifier sends.

#include <chrono>
#include <optional>
#include <string>

#include "support/temp_dir.hpp"

namespace sluice::testing {

class NotifySocket {
 public:
  enum class Kind { path, abstract };
  explicit NotifySocket(Kind kind = Kind::path);
  ~NotifySocket();
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  bool ok() const { return fd_ >= 0; }
  // The value for $NOTIFY_SOCKET: the path, or "@name".
  const std::string& address() const { return address_; }
  // The next datagram, or nothing once `limit` passes.
  std::optional<std::string> receive(std::chrono::milliseconds limit = std::chrono::seconds(30));

 private:
  int fd_ = -1;
  std::string address_;
  std::optional<TempDir> dir_;  // holds a path socket
};

}  // namespace sluice::testing
