#pragma once
// One row of the settings table: a flag, its environment variable, its
// default and help line, and how its text becomes a Settings field. The
// table drives parsing, --help, --check-config and sluiced.env.example.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/settings.hpp"

namespace sluice::config {

// Why a value was refused: `what` completes "<NAME> <what> (got '…')",
// `fix` tells the user what to do. `missing` drops the "(got …)" part.
struct Problem {
  std::string what;
  std::string fix;
  bool missing = false;
};

struct SettingSpec {
  using Apply = std::function<std::optional<Problem>(Settings&, std::string_view)>;
  using Display = std::function<std::string(std::string_view)>;

  std::string flag;           // without "--", e.g. "api-key"
  std::string env;            // e.g. "SLUICE_API_KEY"
  std::string default_value;  // text form, parsed like any other value
  std::string help;           // one line
  std::string group;          // heading in --help and the env example
  Apply apply;
  bool secret = false;        // never printed, not even in errors
  bool is_bool = false;       // the flag may stand alone ("--enable-events")
  Display display = {};       // how a value is shown when not secret (masking)
};

// All settings, in the order --help and the env example list them.
const std::vector<SettingSpec>& setting_table();

}  // namespace sluice::config
