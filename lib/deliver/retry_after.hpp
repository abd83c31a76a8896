#pragma once
// Retry-After (RFC 9110 §10.2.3): delta-seconds or an HTTP-date in any of the
// three formats a recipient must accept. Capped at 24 h (ingest §2, 429).

#include <chrono>
#include <optional>
#include <string_view>

namespace sluice::deliver {

inline constexpr std::chrono::seconds kRetryAfterCap = std::chrono::hours(24);

// How long to wait from `now`; nothing when the value is not a valid
// Retry-After. A date in the past means zero.
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value,
                                                      std::chrono::system_clock::time_point now);

// Seconds since the epoch of an HTTP-date (IMF-fixdate, RFC 850, asctime).
std::optional<long long> parse_http_date(std::string_view text);

}  // namespace sluice::deliver
