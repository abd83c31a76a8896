#pragma once
// The command-line entry: parse flags, load settings, then either answer an
// action (--help, --version, --check-config, …) or run the daemon. Streams
// and environment are parameters so exit codes are unit-testable.

#include <ostream>
#include <string>
#include <vector>

#include "config/load.hpp"

namespace sluice::app {

// sysexits.h values the daemon promises (README "Exit codes").
inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 64;
inline constexpr int kExitFailure = 1;  // --healthcheck: not healthy; a second stop signal: exit unflushed
inline constexpr int kExitCannotStart = 70;   // EX_SOFTWARE: valid settings, yet it could not start
inline constexpr int kExitLostLease = 75;  // EX_TEMPFAIL: an HA leader another instance took over from; restart it
inline constexpr int kExitConfig = 78;

struct CliStreams {
  std::ostream& out;
  std::ostream& err;
};

// Handles everything except running the pipeline; returns the exit code, or
// -1 when the daemon should run with `settings_out`.
int handle_command_line(const std::vector<std::string>& args, const config::Environment& env,
                        CliStreams streams, config::Settings& settings_out);

// main(): handle_command_line, then run the daemon.
int run_cli(int argc, char** argv, char** environ_array);

}  // namespace sluice::app
