#pragma once
// ISO-8601 time text for the ingest contract (docs/ingest-contract.md §3):
// epoch milliseconds <-> "2026-02-27T10:30:00.000Z", and Celery's eta/expires
// ("2026-11-24T05:29:01.698606+00:00", any offset) -> epoch milliseconds.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice {

// The range every formatted time is clamped to: 1970-01-01 .. 9999-12-31.
inline constexpr std::int64_t kMaxEpochMillis = 253'402'300'799'999;

// Celery's float epoch seconds -> milliseconds. Rounded to the microsecond
// first (the precision Python sends), then truncated to the millisecond, so
// 1.2345 never becomes 1.234 through binary noise. NaN/negative -> 0.
std::int64_t epoch_millis_from_seconds(double seconds);

// "YYYY-MM-DDTHH:MM:SS.mmmZ", always UTC with three fraction digits.
void append_iso8601_millis(std::string& out, std::int64_t epoch_millis);
std::string format_iso8601_millis(std::int64_t epoch_millis);

// Accepts "YYYY-MM-DD[(T| )HH:MM[:SS[.fraction]]][Z|(+|-)HH[:]MM]"; without
// an offset the time is taken as UTC. Fractions beyond milliseconds are
// truncated. Nothing for anything else, or before 1970.
std::optional<std::int64_t> parse_iso8601(std::string_view text);

}  // namespace sluice
