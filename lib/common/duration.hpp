#pragma once
// Human durations as used in configuration: "500ms", "10s", "5m", "1h".

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace sluice {

using Duration = std::chrono::milliseconds;

// Parses "<integer><unit>" with unit ms, s, m or h; a bare "0" is zero.
// Returns nothing for anything else (negative, fractions, overflow, no unit).
std::optional<Duration> parse_duration(std::string_view text);

// The shortest exact spelling of a duration: 1500ms, 10s, 5m, 2h.
std::string format_duration(Duration d);

}  // namespace sluice
