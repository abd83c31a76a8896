#include "decode/json_reader.hpp"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

namespace sluice::decode {

// Defined with the string scanning in json_string.cpp.
extern template bool JsonReader::scan_string<true>(std::string_view&);
extern template bool JsonReader::scan_string<false>(std::string_view&);

namespace {

constexpr std::size_t kMaxSkipDepth = 512;

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

void JsonReader::skip_whitespace() {
  while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
}

bool JsonReader::expect(char c, const char* what) {
  skip_whitespace();
  if (p_ == end_ || *p_ != c) return fail(what);
  ++p_;
  return true;
}

JsonKind JsonReader::peek() {
  skip_whitespace();
  if (p_ == end_) return JsonKind::invalid;
  switch (*p_) {
    case '{': return JsonKind::object;
    case '[': return JsonKind::array;
    case '"': return JsonKind::string;
    case 't':
    case 'f': return JsonKind::boolean;
    case 'n': return JsonKind::null;
    case '-':
    case 'N':
    case 'I': return JsonKind::number;
    default: return is_digit(*p_) ? JsonKind::number : JsonKind::invalid;
  }
}

bool JsonReader::enter_object() {
  if (!expect('{', "expected '{'")) return false;
  first_ = true;
  return true;
}

bool JsonReader::enter_array() {
  if (!expect('[', "expected '['")) return false;
  first_ = true;
  return true;
}

bool JsonReader::next_member(std::string_view& key) {
  skip_whitespace();
  if (p_ == end_) return fail("unexpected end in object");
  if (*p_ == '}') {
    ++p_;
    first_ = false;
    return false;
  }
  if (!first_) {
    if (*p_ != ',') return fail("expected ',' or '}'");
    ++p_;
    skip_whitespace();
  }
  first_ = false;
  if (p_ == end_ || *p_ != '"') return fail("expected a string key");
  return scan_string<true>(key) && expect(':', "expected ':'");
}

bool JsonReader::next_element() {
  skip_whitespace();
  if (p_ == end_) return fail("unexpected end in array");
  if (*p_ == ']') {
    ++p_;
    first_ = false;
    return false;
  }
  if (!first_) {
    if (*p_ != ',') return fail("expected ',' or ']'");
    ++p_;
  }
  first_ = false;
  return true;
}

bool JsonReader::read_string(std::string_view& out) {
  if (peek() != JsonKind::string) return fail("expected a string");
  return scan_string<true>(out);
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

bool JsonReader::read_number(JsonNumber& out) {
  skip_whitespace();
  const char* start = p_;
  const bool negative = p_ != end_ && *p_ == '-';
  if (negative) ++p_;
  if (p_ != end_ && (*p_ == 'N' || *p_ == 'I')) {
    const bool nan = *p_ == 'N';
    if (nan && negative) return fail("invalid number");
    if (!literal(nan ? "NaN" : "Infinity")) return false;
    out = JsonNumber{false, 0, nan ? std::numeric_limits<double>::quiet_NaN()
                                   : (negative ? -1.0 : 1.0) * std::numeric_limits<double>::infinity()};
    return true;
  }
  // Integer part, accumulated on the way for the common integer case.
  unsigned long long magnitude = 0;
  bool overflow = false;
  if (p_ != end_ && *p_ == '0') {
    ++p_;
  } else {
    const char* digits = p_;
    if (!scan_digits()) return false;
    overflow = p_ - digits > 19;
    for (const char* d = digits; !overflow && d != p_; ++d) magnitude = magnitude * 10 + static_cast<unsigned>(*d - '0');
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
  constexpr auto kMax = static_cast<unsigned long long>(std::numeric_limits<long long>::max());
  if (integral && !overflow && magnitude <= kMax + (negative ? 1 : 0)) {
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
  nesting_.clear();
  std::string_view key;
  while (true) {
    const JsonKind kind = peek();
    if (kind == JsonKind::object || kind == JsonKind::array) {
      if (nesting_.size() == kMaxSkipDepth) return fail("nested too deeply");
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
