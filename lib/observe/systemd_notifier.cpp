#include "observe/systemd_notifier.hpp"

#include <cstdlib>

namespace sluice::observe {

// Owned jointly by the notifier and the pending timer handler, so a handler
// that runs after the notifier is gone finds `stopped` instead of freed memory.
struct WatchdogPings {
  WatchdogPings(const asio::any_io_executor& executor, NotifyTarget t, std::chrono::microseconds p)
      : timer(executor), target(std::move(t)), period(p) {}
  asio::steady_timer timer;
  NotifyTarget target;
  std::chrono::microseconds period;
  bool stopped = false;
};

namespace {

void schedule(const std::shared_ptr<WatchdogPings>& pings);

void ping(const std::shared_ptr<WatchdogPings>& pings) {
  if (pings->stopped) return;
  send_notify(pings->target, notify_message(NotifyState::watchdog));
  schedule(pings);
}

void schedule(const std::shared_ptr<WatchdogPings>& pings) {
  pings->timer.expires_after(pings->period);
  pings->timer.async_wait([pings](const boost::system::error_code& ec) {
    if (!ec) ping(pings);
  });
}

std::string variable(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

}  // namespace

NotifyEnvironment NotifyEnvironment::from_process() {
  return {variable("NOTIFY_SOCKET"), variable("WATCHDOG_USEC"), variable("WATCHDOG_PID")};
}

SystemdNotifier::SystemdNotifier(const NotifyEnvironment& env, pid_t self) {
  auto target = parse_notify_socket(env.notify_socket);
  if (!target) return;
  target_ = *target;
  period_ = observe::watchdog_period(env.watchdog_usec, env.watchdog_pid, self);
}

// After stopping() the timer is left alone: the io_context it belongs to may
// already be gone.
SystemdNotifier::~SystemdNotifier() {
  if (!pings_ || pings_->stopped) return;
  pings_->stopped = true;
  pings_->timer.cancel();
}

bool SystemdNotifier::ready(std::string_view status) {
  return target_ && send_notify(*target_, notify_message(NotifyState::ready, status));
}

bool SystemdNotifier::status(std::string_view text) {
  return target_ && send_notify(*target_, notify_message(NotifyState::status, text));
}

bool SystemdNotifier::stopping(std::string_view status) {
  if (pings_) {
    pings_->stopped = true;
    pings_->timer.cancel();
  }
  return target_ && send_notify(*target_, notify_message(NotifyState::stopping, status));
}

void SystemdNotifier::start_watchdog(const asio::any_io_executor& executor) {
  if (!target_ || !period_ || pings_) return;
  pings_ = std::make_shared<WatchdogPings>(executor, *target_, *period_);
  ping(pings_);  // one at once: the loop is running now
}

}  // namespace sluice::observe
