#pragma once
// Builders for SettingSpec::Apply: each turns text into one typed Settings
// field and explains refusals. Kept apart from the table so each parsing
// rule is written once.

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/setting_spec.hpp"

namespace sluice::config {

std::optional<bool> parse_bool(std::string_view text);
// Bytes with an optional binary unit: "1048576", "512KiB", "16MiB".
std::optional<std::size_t> parse_byte_size(std::string_view text);

SettingSpec::Apply text_field(std::string Settings::*field);
SettingSpec::Apply bool_field(bool Settings::*field);
SettingSpec::Apply duration_field(Duration Settings::*field, Duration min, Duration max);
SettingSpec::Apply count_field(std::size_t Settings::*field, std::size_t min, std::size_t max);
SettingSpec::Apply byte_size_field(std::size_t Settings::*field, std::size_t min, std::size_t max);
SettingSpec::Apply list_field(std::vector<std::string> Settings::*field);

template <class Enum>
SettingSpec::Apply choice_field(Enum Settings::*field,
                                std::vector<std::pair<std::string, Enum>> choices) {
  return [field, choices = std::move(choices)](Settings& s, std::string_view text)
             -> std::optional<Problem> {
    std::string names;
    for (const auto& [name, value] : choices) {
      if (text == name) {
        s.*field = value;
        return std::nullopt;
      }
      names += names.empty() ? name : "|" + name;
    }
    return Problem{"is not one of " + names, "use one of " + names};
  };
}

}  // namespace sluice::config
