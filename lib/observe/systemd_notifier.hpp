#pragma once
// What the daemon tells systemd (Type=notify): READY=1 after the first
// subscribe, WATCHDOG=1 from the event loop while it turns, STOPPING=1 on
// shutdown. Everything is a no-op when not started by systemd.

#include <sys/types.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/asio.hpp"
#include "observe/systemd_notify.hpp"

namespace sluice::observe {

struct WatchdogPings;  // the timer state, shared with its pending handler

struct NotifyEnvironment {
  std::string notify_socket;  // $NOTIFY_SOCKET
  std::string watchdog_usec;  // $WATCHDOG_USEC
  std::string watchdog_pid;   // $WATCHDOG_PID

  static NotifyEnvironment from_process();
};

class SystemdNotifier {
 public:
  explicit SystemdNotifier(const NotifyEnvironment& env, pid_t self = ::getpid());
  ~SystemdNotifier();
  SystemdNotifier(const SystemdNotifier&) = delete;
  SystemdNotifier& operator=(const SystemdNotifier&) = delete;

  bool enabled() const { return target_.has_value(); }
  std::optional<std::chrono::microseconds> watchdog_period() const { return period_; }

  // Each returns whether the datagram was sent (false when disabled).
  bool ready(std::string_view status = {});
  bool status(std::string_view text);
  bool stopping(std::string_view status = {});  // also ends the watchdog pings

  // Sends WATCHDOG=1 every period from `executor`'s loop until stopping()
  // or destruction; does nothing without a watchdog period. Once started,
  // call stopping() or destroy the notifier before that io_context.
  void start_watchdog(const asio::any_io_executor& executor);

 private:
  std::optional<NotifyTarget> target_;
  std::optional<std::chrono::microseconds> period_;
  std::shared_ptr<WatchdogPings> pings_;
};

}  // namespace sluice::observe
