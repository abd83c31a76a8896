#pragma once
// Command-line parsing: the action to take and the --flag values given.
// Flags mirror the settings table; any unknown flag is a usage error (64).

#include <map>
#include <string>
#include <vector>

#include "common/expected.hpp"

namespace sluice::config {

enum class Action { run, help, version, check_config, healthcheck, print_env_example };

struct CommandLine {
  Action action = Action::run;
  std::map<std::string, std::string> values;  // flag name (no "--") → value
};

// `args` excludes the program name. Accepts "--name value" and "--name=value";
// boolean settings may also stand alone ("--enable-events" = true).
Expected<CommandLine, std::string> parse_command_line(const std::vector<std::string>& args);

}  // namespace sluice::config
