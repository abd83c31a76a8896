#include "app/daemon.hpp"

#include <csignal>
#include <iostream>
#include <unistd.h>

#include "app/app.hpp"
#include "app/cli.hpp"
#include "app/log_setup.hpp"

namespace sluice::app {
namespace {

// First SIGINT/SIGTERM: graceful shutdown. A second one: exit at once.
void watch_signals(asio::signal_set& signals, App& app, asio::io_context& io, observe::Logger& log,
                   bool& stopping) {
  signals.async_wait([&](const boost::system::error_code& error, int signal) {
    if (error) return;
    if (stopping) {
      log.log(observe::Level::warn, "second signal: exiting at once", {{"signal", std::to_string(signal)}});
      ::_exit(kExitFailure);
    }
    stopping = true;
    log.log(observe::Level::info, "shutting down", {{"signal", std::to_string(signal)}});
    watch_signals(signals, app, io, log, stopping);
    asio::co_spawn(io, app.shutdown(), [&io](std::exception_ptr) { io.stop(); });
  });
}

// SIGHUP is ignored, and says so: logs go to stderr (nothing to reopen) and
// the configuration is read once at start, so there is nothing to reload.
// Dying on it, as by default, would lose the buffer uncounted.
void ignore_hangups(asio::signal_set& hangups, observe::Logger& log) {
  hangups.async_wait([&](const boost::system::error_code& error, int) {
    if (error) return;
    log.log(observe::Level::info, "SIGHUP ignored: logs go to stderr and settings are read at start; "
                                  "restart sluiced to change them");
    ignore_hangups(hangups, log);
  });
}

}  // namespace

int run_daemon(const config::Settings& settings) {
  // A reader of stderr that goes away (a closed terminal, a dead log
  // collector) must not kill the daemon: writes then fail, and are lost.
  std::signal(SIGPIPE, SIG_IGN);
  std::signal(SIGHUP, SIG_IGN);  // until the signal set below takes over
  observe::Logger log(std::cerr, to_log_level(settings.log_level), to_log_format(settings.log_format));
  register_secrets(log, settings);
  asio::io_context io(1);
  asio::io_context delivery_io(1);  // run by App's delivery thread
  observe::Metrics metrics;
  auto sink = make_sink(delivery_io, settings);
  if (!sink) {
    log.log(observe::Level::error, "cannot set up delivery", {{"error", sink.error()}});
    return kExitConfig;
  }
  App app(settings, log, std::move(*sink), io, delivery_io, metrics);
  if (!app.start()) return kExitCannotStart;
  log.log(observe::Level::info, "sluiced started", {{"version", SLUICE_VERSION}});
  asio::signal_set signals(io, SIGINT, SIGTERM);
  bool stopping = false;
  int exit_code = kExitOk;
  // An HA leader that lost its lease: nothing it still holds may be sent
  // (the lease gates it), so the flush only counts what is dropped.
  app.on_exit_needed([&](int code) {
    if (stopping) return;
    stopping = true;
    exit_code = code;
    asio::co_spawn(io, app.shutdown(std::chrono::milliseconds(0)), [&io](std::exception_ptr) { io.stop(); });
  });
  watch_signals(signals, app, io, log, stopping);
  asio::signal_set hangups(io, SIGHUP);
  ignore_hangups(hangups, log);
  io.run();
  return exit_code;
}

}  // namespace sluice::app
