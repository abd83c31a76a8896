#include "config/setting_binders.hpp"

#include <charconv>
#include <cstdint>
#include <limits>

namespace sluice::config {
namespace {

std::optional<std::uint64_t> parse_unsigned(std::string_view text) {
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

std::string range_text(std::size_t min, std::size_t max) {
  return "from " + std::to_string(min) + " to " + std::to_string(max);
}

}  // namespace

std::optional<bool> parse_bool(std::string_view text) {
  if (text == "true" || text == "1" || text == "yes" || text == "on") return true;
  if (text == "false" || text == "0" || text == "no" || text == "off") return false;
  return std::nullopt;
}

std::optional<std::size_t> parse_byte_size(std::string_view text) {
  std::uint64_t factor = 1;
  for (auto [suffix, size] : {std::pair{"KiB", 1024ULL}, std::pair{"MiB", 1024ULL * 1024},
                              std::pair{"GiB", 1024ULL * 1024 * 1024}}) {
    if (text.ends_with(suffix)) {
      factor = size;
      text.remove_suffix(3);
      break;
    }
  }
  auto number = parse_unsigned(text);
  if (!number || *number > std::numeric_limits<std::size_t>::max() / factor) return std::nullopt;
  return static_cast<std::size_t>(*number * factor);
}

SettingSpec::Apply text_field(std::string Settings::*field) {
  return [field](Settings& s, std::string_view text) -> std::optional<Problem> {
    s.*field = std::string(text);
    return std::nullopt;
  };
}

SettingSpec::Apply bool_field(bool Settings::*field) {
  return [field](Settings& s, std::string_view text) -> std::optional<Problem> {
    auto value = parse_bool(text);
    if (!value) return Problem{"is not a boolean", "use true or false"};
    s.*field = *value;
    return std::nullopt;
  };
}

SettingSpec::Apply duration_field(Duration Settings::*field, Duration min, Duration max) {
  return [=](Settings& s, std::string_view text) -> std::optional<Problem> {
    auto value = parse_duration(text);
    if (!value) return Problem{"is not a duration", "write a whole number with a unit: 500ms, 10s, 5m"};
    if (*value < min || *value > max) {
      return Problem{"is out of range",
                     "use a duration from " + format_duration(min) + " to " + format_duration(max)};
    }
    s.*field = *value;
    return std::nullopt;
  };
}

SettingSpec::Apply count_field(std::size_t Settings::*field, std::size_t min, std::size_t max) {
  return [=](Settings& s, std::string_view text) -> std::optional<Problem> {
    auto value = parse_unsigned(text);
    if (!value) return Problem{"is not a whole number", "use a number " + range_text(min, max)};
    if (*value < min || *value > max) {
      return Problem{"is out of range", "use a number " + range_text(min, max)};
    }
    s.*field = static_cast<std::size_t>(*value);
    return std::nullopt;
  };
}

SettingSpec::Apply byte_size_field(std::size_t Settings::*field, std::size_t min, std::size_t max) {
  return [=](Settings& s, std::string_view text) -> std::optional<Problem> {
    auto value = parse_byte_size(text);
    const std::string hint = "use a byte count " + range_text(min, max) + " (KiB and MiB suffixes allowed)";
    if (!value) return Problem{"is not a size", hint};
    if (*value < min || *value > max) return Problem{"is out of range", hint};
    s.*field = *value;
    return std::nullopt;
  };
}

SettingSpec::Apply list_field(std::vector<std::string> Settings::*field) {
  return [field](Settings& s, std::string_view text) -> std::optional<Problem> {
    std::vector<std::string> items;
    while (!text.empty()) {
      auto comma = text.find(',');
      auto item = text.substr(0, comma);
      while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
      while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
      if (item.empty()) return Problem{"has an empty item", "separate names with single commas: a,b,c"};
      items.emplace_back(item);
      text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    }
    s.*field = std::move(items);
    return std::nullopt;
  };
}

}  // namespace sluice::config
