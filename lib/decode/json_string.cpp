// JsonReader's escape handling: the slow path of string scanning (the fast
// path, a string without escapes, is inline in json_reader.hpp).
#include <cstdint>

#include "common/hex.hpp"
#include "decode/json_reader.hpp"

namespace sluice::decode {
namespace {

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += {static_cast<char>(0xc0 | (cp >> 6)), static_cast<char>(0x80 | (cp & 0x3f))};
  } else if (cp < 0x10000) {
    out += {static_cast<char>(0xe0 | (cp >> 12)), static_cast<char>(0x80 | ((cp >> 6) & 0x3f)),
            static_cast<char>(0x80 | (cp & 0x3f))};
  } else {
    out += {static_cast<char>(0xf0 | (cp >> 18)), static_cast<char>(0x80 | ((cp >> 12) & 0x3f)),
            static_cast<char>(0x80 | ((cp >> 6) & 0x3f)), static_cast<char>(0x80 | (cp & 0x3f))};
  }
}

// Reads the 4 hex digits of a \u escape at `p` (bounds checked by the caller).
int read_hex4(const char* p) {
  int value = 0;
  for (int i = 0; i < 4; ++i) {
    const int digit = hex_value(p[i]);
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

}  // namespace

// At a backslash. Decode=true appends the decoded character to scratch_.
// Python writes lone surrogates for broken strings; they become U+FFFD.
template <bool Decode>
bool JsonReader::scan_escape() {
  if (end_ - p_ < 2) return fail("unterminated escape");
  const char c = p_[1];
  p_ += 2;
  char plain = 0;
  switch (c) {
    case '"': plain = '"'; break;
    case '\\': plain = '\\'; break;
    case '/': plain = '/'; break;
    case 'b': plain = '\b'; break;
    case 'f': plain = '\f'; break;
    case 'n': plain = '\n'; break;
    case 'r': plain = '\r'; break;
    case 't': plain = '\t'; break;
    case 'u': break;
    default: return fail("invalid escape");
  }
  if (c != 'u') {
    if constexpr (Decode) scratch_ += plain;
    return true;
  }
  const int unit = end_ - p_ >= 4 ? read_hex4(p_) : -1;
  if (unit < 0) return fail("invalid \\u escape");
  p_ += 4;
  auto cp = static_cast<std::uint32_t>(unit);
  if (cp >= 0xd800 && cp < 0xdc00 && end_ - p_ >= 6 && p_[0] == '\\' && p_[1] == 'u') {
    const int low = read_hex4(p_ + 2);
    if (low >= 0xdc00 && low < 0xe000) {
      cp = 0x10000 + ((cp - 0xd800) << 10) + static_cast<std::uint32_t>(low - 0xdc00);
      p_ += 6;
    }
  }
  if (cp >= 0xd800 && cp < 0xe000) cp = 0xfffd;
  if constexpr (Decode) append_utf8(scratch_, cp);
  return true;
}

// The slow path of scan_string: the string at `start` holds escapes (or is
// broken). Decode=true builds the decoded text in scratch_.
template <bool Decode>
bool JsonReader::scan_escaped_string(const char* start, std::string_view& out) {
  if constexpr (Decode) scratch_.assign(start, p_);
  while (p_ != end_) {
    const char* run = p_;
    p_ = json_scan::find_stop(p_, end_);
    if constexpr (Decode) scratch_.append(run, p_);
    if (p_ == end_) break;
    if (*p_ == '"') {
      ++p_;
      out = Decode ? std::string_view(scratch_) : std::string_view();
      return true;
    }
    if (*p_ != '\\') return fail("control character in string");
    if (!scan_escape<Decode>()) return false;
  }
  return fail("unterminated string");
}

template bool JsonReader::scan_escaped_string<true>(const char*, std::string_view&);
template bool JsonReader::scan_escaped_string<false>(const char*, std::string_view&);

}  // namespace sluice::decode
