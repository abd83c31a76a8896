#pragma once
// Builds the Settings value: for each row of the settings table the flag
// wins over the environment, which wins over the default. Every problem is
// collected so the user sees them all at once (exit code 78).

#include <map>
#include <string>
#include <vector>

#include "config/command_line.hpp"
#include "config/settings.hpp"

namespace sluice::config {

using Environment = std::map<std::string, std::string>;

enum class Origin { flag, env, default_value };

// What --check-config prints for one setting (already masked).
struct EffectiveValue {
  std::string env;
  std::string shown;
  Origin origin = Origin::default_value;
};

struct LoadResult {
  Settings settings;
  std::vector<std::string> errors;    // one line each; empty = valid
  std::vector<std::string> warnings;  // valid but suspicious
  std::vector<EffectiveValue> effective;

  bool ok() const { return errors.empty(); }
};

// Environment variables set to the empty string count as unset, so an env
// file may list a variable without a value.
LoadResult load_settings(const CommandLine& line, const Environment& env);

// The environ array as a map (only SLUICE_* and proxy variables matter).
Environment environment_from(char** environ_array);

}  // namespace sluice::config
