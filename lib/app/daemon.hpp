#pragma once
// Runs the daemon with validated settings until a signal stops it.

#include <ostream>

#include "config/settings.hpp"

namespace sluice::app {

// Returns the process exit code.
int run_daemon(const config::Settings& settings);

// --healthcheck: asks the running daemon's /health; 0 healthy, 1 not.
int run_healthcheck(const config::Settings& settings, std::ostream& err);

}  // namespace sluice::app
