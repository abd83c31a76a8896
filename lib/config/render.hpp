#pragma once
// Text generated from the settings table: --help, the env example file and
// the effective configuration printed by --check-config.

#include <string>

#include "config/load.hpp"

namespace sluice::config {

std::string usage_text();
std::string help_text();
std::string env_example_text();
std::string effective_config_text(const LoadResult& result);

}  // namespace sluice::config
