#pragma once
// Settings for tests, built by the real loader from the documented defaults
// plus the SLUICE_* variables a test sets.

#include "config/load.hpp"
#include "config/settings.hpp"

namespace sluice::testing {

// Fails the current test (and returns the defaults) when `env` is invalid.
config::Settings test_settings(const config::Environment& env = {});

}  // namespace sluice::testing
