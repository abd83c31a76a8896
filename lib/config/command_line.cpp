#include "config/command_line.hpp"

#include <algorithm>

#include "config/setting_spec.hpp"

namespace sluice::config {
namespace {

using UsageError = Unexpected<std::string>;

const SettingSpec* find_spec(const std::string& flag) {
  const auto& table = setting_table();
  auto it = std::find_if(table.begin(), table.end(), [&](const SettingSpec& s) { return s.flag == flag; });
  return it == table.end() ? nullptr : &*it;
}

bool set_action(CommandLine& line, const std::string& flag) {
  static const std::map<std::string, Action> actions = {
      {"help", Action::help},
      {"version", Action::version},
      {"check-config", Action::check_config},
      {"healthcheck", Action::healthcheck},
      {"print-env-example", Action::print_env_example},
  };
  auto it = actions.find(flag);
  if (it == actions.end()) return false;
  // --help and --version win over anything else on the line.
  if (line.action == Action::run || it->second == Action::help ||
      (it->second == Action::version && line.action != Action::help)) {
    line.action = it->second;
  }
  return true;
}

}  // namespace

Expected<CommandLine, std::string> parse_command_line(const std::vector<std::string>& args) {
  CommandLine line;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "-h") {
      set_action(line, "help");
      continue;
    }
    if (!arg.starts_with("--") || arg.size() == 2) {
      return UsageError("unexpected argument '" + arg + "'");
    }
    auto eq = arg.find('=');
    std::string flag = arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    if (eq == std::string::npos && set_action(line, flag)) continue;
    const SettingSpec* spec = find_spec(flag);
    if (!spec) return UsageError("unknown flag '--" + flag + "'");
    if (eq != std::string::npos) {
      line.values[flag] = arg.substr(eq + 1);
    } else if (spec->is_bool) {
      line.values[flag] = "true";
    } else if (i + 1 < args.size()) {
      line.values[flag] = args[++i];
    } else {
      return UsageError("flag '--" + flag + "' needs a value");
    }
  }
  return line;
}

}  // namespace sluice::config
