#include "deliver/retry_after.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <ctime>
#include <string>

namespace sluice::deliver {
namespace {

constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Reads exactly `digits` digits (or 1..digits when `exact` is false).
bool read_number(std::string_view& s, int digits, int& out, bool exact = true) {
  int n = 0;
  out = 0;
  while (n < digits && n < static_cast<int>(s.size()) && std::isdigit(static_cast<unsigned char>(s[n]))) {
    out = out * 10 + (s[n] - '0');
    ++n;
  }
  if (n == 0 || (exact && n != digits)) return false;
  s.remove_prefix(static_cast<std::size_t>(n));
  return true;
}

bool expect(std::string_view& s, std::string_view literal) {
  if (!s.starts_with(literal)) return false;
  s.remove_prefix(literal.size());
  return true;
}

bool read_month(std::string_view& s, int& month) {
  for (std::size_t i = 0; i < kMonths.size(); ++i) {
    if (s.starts_with(kMonths[i])) {
      month = static_cast<int>(i);
      s.remove_prefix(3);
      return true;
    }
  }
  return false;
}

bool read_time(std::string_view& s, std::tm& tm) {
  return read_number(s, 2, tm.tm_hour) && expect(s, ":") && read_number(s, 2, tm.tm_min) && expect(s, ":") &&
         read_number(s, 2, tm.tm_sec);
}

bool skip_day_name(std::string_view& s, char terminator) {
  const auto end = s.find(terminator);
  if (end == std::string_view::npos || end < 3) return false;
  s.remove_prefix(end + 1);
  return true;
}

// "Sun, 06 Nov 1994 08:49:37 GMT"
bool imf_fixdate(std::string_view s, std::tm& tm) {
  return skip_day_name(s, ',') && expect(s, " ") && read_number(s, 2, tm.tm_mday) && expect(s, " ") &&
         read_month(s, tm.tm_mon) && expect(s, " ") && read_number(s, 4, tm.tm_year) && expect(s, " ") &&
         read_time(s, tm) && expect(s, " GMT") && s.empty();
}

// "Sunday, 06-Nov-94 08:49:37 GMT"; two-digit years per RFC 9110 §5.6.7.
bool rfc850_date(std::string_view s, std::tm& tm) {
  if (!(skip_day_name(s, ',') && expect(s, " ") && read_number(s, 2, tm.tm_mday) && expect(s, "-") &&
        read_month(s, tm.tm_mon) && expect(s, "-") && read_number(s, 2, tm.tm_year) && expect(s, " ") &&
        read_time(s, tm) && expect(s, " GMT") && s.empty())) {
    return false;
  }
  tm.tm_year += tm.tm_year < 70 ? 2000 : 1900;
  return true;
}

// "Sun Nov  6 08:49:37 1994"
bool asctime_date(std::string_view s, std::tm& tm) {
  if (!(skip_day_name(s, ' ') && read_month(s, tm.tm_mon) && expect(s, " "))) return false;
  expect(s, " ");  // a one-digit day is padded with a space
  return read_number(s, 2, tm.tm_mday, false) && expect(s, " ") && read_time(s, tm) && expect(s, " ") &&
         read_number(s, 4, tm.tm_year) && s.empty();
}

}  // namespace

std::optional<long long> parse_http_date(std::string_view text) {
  text = trim(text);
  for (auto parse : {imf_fixdate, rfc850_date, asctime_date}) {
    std::tm tm{};
    if (!parse(text, tm)) continue;
    if (tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60) break;
    tm.tm_year -= 1900;
    return static_cast<long long>(timegm(&tm));
  }
  return std::nullopt;
}

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value,
                                                      std::chrono::system_clock::time_point now) {
  value = trim(value);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    long long seconds = 0;
    for (char c : value) {
      seconds = seconds * 10 + (c - '0');
      if (seconds > kRetryAfterCap.count()) return kRetryAfterCap;
    }
    return std::chrono::seconds(seconds);
  }
  const auto date = parse_http_date(value);
  if (!date) return std::nullopt;
  const long long now_s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  return std::chrono::seconds(std::clamp(*date - now_s, 0LL, static_cast<long long>(kRetryAfterCap.count())));
}

}  // namespace sluice::deliver
