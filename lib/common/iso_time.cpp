#include "common/iso_time.hpp"

#include <array>
#include <cmath>
#include <cstdint>

namespace sluice {
namespace {

constexpr std::int64_t kMillisPerDay = 86'400'000;

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil {
  std::int64_t year;
  unsigned month;
  unsigned day;
};

Civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

// "00" … "99": every ingest event carries several timestamps, and writing
// them two digits at a time from 32-bit values halves the formatting cost.
constexpr auto kTwoDigits = [] {
  std::array<char, 200> digits{};
  for (std::size_t i = 0; i < 100; ++i) {
    digits[2 * i] = static_cast<char>('0' + i / 10);
    digits[2 * i + 1] = static_cast<char>('0' + i % 10);
  }
  return digits;
}();

void put_two_digits(char* at, std::uint32_t value) {  // value < 100
  at[0] = kTwoDigits[2 * value];
  at[1] = kTwoDigits[2 * value + 1];
}

// A cursor over the text being parsed; every read checks the bounds.
class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}
  bool done() const { return pos_ == text_.size(); }
  char peek() const { return done() ? '\0' : text_[pos_]; }
  bool take(char c) {
    if (peek() != c) return false;
    ++pos_;
    return true;
  }
  std::optional<int> digits(std::size_t count) {
    if (text_.size() - pos_ < count) return std::nullopt;
    int value = 0;
    for (std::size_t i = 0; i < count; ++i) {
      const char c = text_[pos_ + i];
      if (c < '0' || c > '9') return std::nullopt;
      value = value * 10 + (c - '0');
    }
    pos_ += count;
    return value;
  }
  // Milliseconds of a ".ffffff" fraction (any number of digits, truncated).
  std::optional<int> fraction_millis() {
    int millis = 0;
    std::size_t count = 0;
    while (peek() >= '0' && peek() <= '9') {
      if (count < 3) millis = millis * 10 + (peek() - '0');
      ++count;
      ++pos_;
    }
    if (count == 0) return std::nullopt;
    for (; count < 3; ++count) millis *= 10;
    return millis;
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

bool days_in_month_ok(int year, int month, int day) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  const int limit = kDays[month - 1] + (month == 2 && leap ? 1 : 0);
  return day >= 1 && day <= limit;
}

// "Z", "+HH:MM", "+HHMM", "+HH" or nothing -> offset east of UTC in minutes.
std::optional<int> parse_offset_minutes(Reader& in) {
  if (in.done() || in.take('Z') || in.take('z')) return 0;
  const int sign = in.take('+') ? 1 : (in.take('-') ? -1 : 0);
  if (sign == 0) return std::nullopt;
  auto hours = in.digits(2);
  if (!hours || *hours > 23) return std::nullopt;
  int minutes = 0;
  if (!in.done()) {
    in.take(':');
    auto mm = in.digits(2);
    if (!mm || *mm > 59) return std::nullopt;
    minutes = *mm;
  }
  return sign * (*hours * 60 + minutes);
}

// "HH:MM[:SS[.fff]]" -> milliseconds into the day.
std::optional<std::int64_t> parse_time_of_day(Reader& in) {
  auto hh = in.digits(2);
  if (!hh || !in.take(':')) return std::nullopt;
  auto mm = in.digits(2);
  if (!mm || *hh > 23 || *mm > 59) return std::nullopt;
  int ss = 0;
  int millis = 0;
  if (in.take(':')) {
    auto s = in.digits(2);
    if (!s || *s > 60) return std::nullopt;  // 60: a leap second, folded below
    ss = *s;
    if (in.take('.') || in.take(',')) {
      auto f = in.fraction_millis();
      if (!f) return std::nullopt;
      millis = *f;
    }
  }
  return ((*hh * 60 + *mm) * 60 + ss) * std::int64_t{1000} + millis;
}

}  // namespace

std::int64_t epoch_millis_from_seconds(double seconds) {
  if (!(seconds > 0)) return 0;  // also NaN
  if (seconds >= static_cast<double>(kMaxEpochMillis) / 1000.0) return kMaxEpochMillis;
  const auto micros = static_cast<std::int64_t>(std::llround(seconds * 1e6));
  return micros / 1000;
}

void append_iso8601_millis(std::string& out, std::int64_t epoch_millis) {
  if (epoch_millis < 0) epoch_millis = 0;
  if (epoch_millis > kMaxEpochMillis) epoch_millis = kMaxEpochMillis;
  const std::int64_t days = epoch_millis / kMillisPerDay;
  const std::int64_t rest = epoch_millis % kMillisPerDay;
  const Civil date = civil_from_days(days);
  const auto year = static_cast<std::uint32_t>(date.year);  // 1970…9999 after the clamps
  const auto seconds = static_cast<std::uint32_t>(rest / 1000);
  const auto millis = static_cast<std::uint32_t>(rest % 1000);
  // Filled in place and appended once.
  char text[] = "0000-00-00T00:00:00.000Z";
  put_two_digits(text + 0, year / 100);
  put_two_digits(text + 2, year % 100);
  put_two_digits(text + 5, date.month);
  put_two_digits(text + 8, date.day);
  put_two_digits(text + 11, seconds / 3600);
  put_two_digits(text + 14, seconds / 60 % 60);
  put_two_digits(text + 17, seconds % 60);
  text[20] = static_cast<char>('0' + millis / 100);
  put_two_digits(text + 21, millis % 100);
  out.append(text, sizeof text - 1);
}

std::string format_iso8601_millis(std::int64_t epoch_millis) {
  std::string out;
  out.reserve(24);
  append_iso8601_millis(out, epoch_millis);
  return out;
}

std::optional<std::int64_t> parse_iso8601(std::string_view text) {
  Reader in(text);
  auto year = in.digits(4);
  if (!year || !in.take('-')) return std::nullopt;
  auto month = in.digits(2);
  if (!month || !in.take('-')) return std::nullopt;
  auto day = in.digits(2);
  if (!day || *month < 1 || *month > 12 || !days_in_month_ok(*year, *month, *day)) return std::nullopt;
  std::int64_t millis_of_day = 0;
  if (in.take('T') || in.take('t') || in.take(' ')) {
    auto time = parse_time_of_day(in);
    if (!time) return std::nullopt;
    millis_of_day = *time;
  }
  auto offset = parse_offset_minutes(in);
  if (!offset || !in.done()) return std::nullopt;
  const std::int64_t result =
      days_from_civil(*year, static_cast<unsigned>(*month), static_cast<unsigned>(*day)) * kMillisPerDay +
      millis_of_day - std::int64_t{*offset} * 60'000;
  if (result < 0 || result > kMaxEpochMillis) return std::nullopt;
  return result;
}

}  // namespace sluice
