#include "app/daemon.hpp"

#include <csignal>
#include <iostream>
#include <unistd.h>

#include "app/app.hpp"
#include "app/log_setup.hpp"

namespace sluice::app {
namespace {

constexpr int kExitSoftware = 70;  // sysexits EX_SOFTWARE: could not start

// First SIGINT/SIGTERM: graceful shutdown. A second one: exit at once.
void watch_signals(asio::signal_set& signals, App& app, asio::io_context& io, observe::Logger& log,
                   bool& stopping) {
  signals.async_wait([&](const boost::system::error_code& error, int signal) {
    if (error) return;
    if (stopping) {
      log.log(observe::Level::warn, "second signal: exiting at once", {{"signal", std::to_string(signal)}});
      ::_exit(1);
    }
    stopping = true;
    log.log(observe::Level::info, "shutting down", {{"signal", std::to_string(signal)}});
    watch_signals(signals, app, io, log, stopping);
    asio::co_spawn(io, app.shutdown(), [&io](std::exception_ptr) { io.stop(); });
  });
}

}  // namespace

int run_daemon(const config::Settings& settings) {
  observe::Logger log(std::cerr, to_log_level(settings.log_level), to_log_format(settings.log_format));
  register_secrets(log, settings);
  asio::io_context io(1);
  asio::io_context delivery_io(1);  // run by App's delivery thread
  observe::Metrics metrics;
  auto sink = make_sink(delivery_io, settings);
  if (!sink) {
    log.log(observe::Level::error, "cannot set up delivery", {{"error", sink.error()}});
    return 78;
  }
  App app(settings, log, std::move(*sink), io, delivery_io, metrics);
  if (!app.start()) return kExitSoftware;
  log.log(observe::Level::info, "sluiced started", {{"version", SLUICE_VERSION}});
  asio::signal_set signals(io, SIGINT, SIGTERM);
  bool stopping = false;
  watch_signals(signals, app, io, log, stopping);
  io.run();
  return 0;
}

}  // namespace sluice::app
