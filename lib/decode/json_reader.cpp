#include "decode/json_reader.hpp"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

namespace sluice::decode {

// Defined with the escape handling in json_string.cpp.
extern template bool JsonReader::scan_escaped_string<true>(const char*, std::string_view&);
extern template bool JsonReader::scan_escaped_string<false>(const char*, std::string_view&);

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Python reads 1e999 as inf and 1e-999 as 0.0; from_chars refuses both.
double out_of_range_value(std::string_view text, bool negative) {
  const auto e = text.find_first_of("eE");
  const bool tiny = e != std::string_view::npos && e + 1 < text.size() && text[e + 1] == '-';
  const double sign = negative ? -1.0 : 1.0;
  return sign * (tiny ? 0.0 : std::numeric_limits<double>::infinity());
}

}  // namespace

bool JsonReader::fail(const char* what) {
  if (error_ == nullptr) {
    error_ = what;
    error_at_ = p_;
  }
  p_ = end_;
  return false;
}

bool JsonReader::literal(std::string_view word) {
  if (static_cast<std::size_t>(end_ - p_) < word.size() || std::memcmp(p_, word.data(), word.size()) != 0)
    return fail("invalid literal");
  p_ += word.size();
  return true;
}

bool JsonReader::read_bool(bool& out) {
  skip_whitespace();
  if (p_ != end_ && *p_ == 't') return out = true, literal("true");
  out = false;
  return literal("false");
}

bool JsonReader::read_null() {
  skip_whitespace();
  return literal("null");
}

bool JsonReader::scan_digits() {
  if (p_ == end_ || !is_digit(*p_)) return fail("expected a digit");
  while (p_ != end_ && is_digit(*p_)) ++p_;
  return true;
}

// Python's json.dumps writes NaN, Infinity and -Infinity for such floats.
bool JsonReader::read_non_finite(bool negative, JsonNumber& out) {
  const bool nan = *p_ == 'N';
  if ((nan && negative) || !literal(nan ? "NaN" : "Infinity")) return fail("invalid number");
  constexpr double kInfinity = std::numeric_limits<double>::infinity();
  out = JsonNumber{false, 0, nan ? std::numeric_limits<double>::quiet_NaN() : negative ? -kInfinity : kInfinity};
  return true;
}

bool JsonReader::read_number(JsonNumber& out) {
  skip_whitespace();
  const char* start = p_;
  const bool negative = p_ != end_ && *p_ == '-';
  if (negative) ++p_;
  if (p_ != end_ && (*p_ == 'N' || *p_ == 'I')) return read_non_finite(negative, out);
  // Integer part, accumulated in the same pass (the common case is an int).
  if (p_ == end_ || !is_digit(*p_)) return fail("expected a digit");
  unsigned long long magnitude = 0;
  int digits = 0;
  if (*p_ == '0') {
    ++p_;
  } else {
    for (; p_ != end_ && is_digit(*p_); ++p_, ++digits) magnitude = magnitude * 10 + static_cast<unsigned>(*p_ - '0');
  }
  bool integral = true;
  if (p_ != end_ && *p_ == '.') {
    ++p_;
    integral = false;
    if (!scan_digits()) return false;
  }
  if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
    ++p_;
    integral = false;
    if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
    if (!scan_digits()) return false;
  }
  // 19 digits cannot wrap an unsigned 64-bit accumulator.
  constexpr auto kMax = static_cast<unsigned long long>(std::numeric_limits<long long>::max());
  if (integral && digits <= 19 && magnitude <= kMax + (negative ? 1 : 0)) {
    out.is_integer = true;
    out.integer = negative ? static_cast<long long>(0ULL - magnitude) : static_cast<long long>(magnitude);
    out.real = static_cast<double>(out.integer);
    return true;
  }
  out.is_integer = false;
  out.integer = 0;
  const auto [ptr, ec] = std::from_chars(start, p_, out.real);
  if (ec == std::errc::result_out_of_range) {
    out.real = out_of_range_value(std::string_view(start, static_cast<std::size_t>(p_ - start)), negative);
  } else if (ec != std::errc{} || ptr != p_) {
    return fail("invalid number");
  }
  return true;
}

bool JsonReader::skip_scalar(JsonKind kind) {
  std::string_view text;
  JsonNumber number;
  bool flag = false;
  switch (kind) {
    case JsonKind::string: return scan_string<false>(text);
    case JsonKind::number: return read_number(number);
    case JsonKind::boolean: return read_bool(flag);
    case JsonKind::null: return read_null();
    default: return fail("expected a value");
  }
}

bool JsonReader::skip_value() {
  if (const JsonKind kind = peek(); kind != JsonKind::object && kind != JsonKind::array) {
    ++skipped_values_;
    return skip_scalar(kind);
  }
  nesting_.clear();
  std::string_view key;
  while (true) {
    const JsonKind kind = peek();
    ++skipped_values_;
    if (kind == JsonKind::object || kind == JsonKind::array) {
      if (nesting_.size() == max_depth_) return fail("nested too deeply");
      ++p_;
      first_ = true;
      nesting_.push_back(kind == JsonKind::object ? '}' : ']');
    } else if (!skip_scalar(kind)) {
      return false;
    }
    // Close every container that ends here; stop at the next value to read.
    while (!nesting_.empty()) {
      const bool more = nesting_.back() == '}' ? next_member(key) : next_element();
      if (more) break;
      if (failed()) return false;
      nesting_.pop_back();
    }
    if (nesting_.empty()) return true;
  }
}

bool JsonReader::at_end() {
  skip_whitespace();
  return p_ == end_ && !failed();
}

}  // namespace sluice::decode
