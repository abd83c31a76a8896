#pragma once
// The sd_notify protocol without libsystemd: a datagram with "KEY=VALUE"
// lines sent to the unix socket named by $NOTIFY_SOCKET ("@name" is the
// abstract namespace). Message formatting and environment parsing are pure.

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "common/expected.hpp"

namespace sluice::observe {

enum class NotifyState { ready, watchdog, stopping, status };

// "READY=1", "WATCHDOG=1", "STOPPING=1", each followed by "\nSTATUS=…" when
// a status text is given (status: only the STATUS line). Newlines in the
// text become spaces so it stays one assignment.
std::string notify_message(NotifyState state, std::string_view status = {});

// The socket address bytes: a path, or for "@name" a NUL then "name".
struct NotifyTarget {
  std::string address;

  bool operator==(const NotifyTarget&) const = default;
};

Expected<NotifyTarget, std::string> parse_notify_socket(std::string_view value);

// The watchdog ping period: half of $WATCHDOG_USEC, when it is set and
// $WATCHDOG_PID is unset or names this process.
std::optional<std::chrono::microseconds> watchdog_period(std::string_view watchdog_usec,
                                                          std::string_view watchdog_pid, pid_t self);

// One datagram, never blocking; false when it could not be sent.
bool send_notify(const NotifyTarget& target, std::string_view message);

}  // namespace sluice::observe
