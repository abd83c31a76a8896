#include "common/duration.hpp"

#include <charconv>
#include <cstdint>
#include <limits>

namespace sluice {
namespace {

std::optional<std::int64_t> unit_millis(std::string_view unit) {
  if (unit == "ms") return 1;
  if (unit == "s") return 1000;
  if (unit == "m") return 60 * 1000;
  if (unit == "h") return 60 * 60 * 1000;
  return std::nullopt;
}

}  // namespace

std::optional<Duration> parse_duration(std::string_view text) {
  if (text == "0") return Duration{0};
  std::int64_t number = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  auto [rest, ec] = std::from_chars(begin, end, number);
  if (ec != std::errc{} || rest == begin || number < 0) return std::nullopt;
  auto factor = unit_millis(std::string_view(rest, static_cast<size_t>(end - rest)));
  if (!factor) return std::nullopt;
  if (number > std::numeric_limits<std::int64_t>::max() / *factor) return std::nullopt;
  return Duration{number * *factor};
}

std::string format_duration(Duration d) {
  const auto ms = d.count();
  if (ms != 0 && ms % (60 * 60 * 1000) == 0) return std::to_string(ms / (60 * 60 * 1000)) + "h";
  if (ms != 0 && ms % (60 * 1000) == 0) return std::to_string(ms / (60 * 1000)) + "m";
  if (ms != 0 && ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

}  // namespace sluice
