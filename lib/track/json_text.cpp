#include "track/json_text.hpp"

#include <charconv>
#include <cmath>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "common/iso_time.hpp"
#include "common/utf8.hpp"

namespace sluice::track {
namespace {

void append_escape(std::string& out, unsigned char c) {
  switch (c) {
    case '"': out += "\\\""; return;
    case '\\': out += "\\\\"; return;
    case '\n': out += "\\n"; return;
    case '\r': out += "\\r"; return;
    case '\t': out += "\\t"; return;
    case '\b': out += "\\b"; return;
    case '\f': out += "\\f"; return;
    default: break;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  out += "\\u00";
  out.push_back(kHex[c >> 4]);
  out.push_back(kHex[c & 0x0F]);
}

bool needs_care(unsigned char c) { return c < 0x20 || c == '"' || c == '\\' || c >= 0x80; }

// The end of the run of plain ASCII starting at `pos`. Nearly every byte of
// an ingest event is plain, so SSE2 (baseline on x86-64) checks 16 at once:
// a signed "< 0x20" catches control bytes and every byte >= 0x80 together.
std::size_t plain_run_end(std::string_view text, std::size_t pos) {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i space = _mm_set1_epi8(0x20);
  for (; pos + 16 <= text.size(); pos += 16) {
    const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + pos));
    const __m128i special = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(chunk, quote), _mm_cmpeq_epi8(chunk, backslash)),
                                         _mm_cmplt_epi8(chunk, space));
    if (const int mask = _mm_movemask_epi8(special); mask != 0) return pos + static_cast<std::size_t>(__builtin_ctz(mask));
  }
#endif
  while (pos < text.size() && !needs_care(static_cast<unsigned char>(text[pos]))) ++pos;
  return pos;
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  out.push_back('"');
  std::size_t pos = 0;
  while (pos < text.size()) {
    // Copy the run of plain ASCII at once; it is nearly all of the text.
    const std::size_t run = plain_run_end(text, pos);
    out.append(text.data() + pos, run - pos);
    pos = run;
    if (pos == text.size()) break;
    const auto c = static_cast<unsigned char>(text[pos]);
    if (c < 0x80) {
      append_escape(out, c);
      ++pos;
      continue;
    }
    const std::size_t length = utf8::sequence_length(text, pos);
    if (length == 0) {
      out += "\\ufffd";
      ++pos;
    } else {
      out.append(text.data() + pos, length);
      pos += length;
    }
  }
  out.push_back('"');
}

bool append_json_number(std::string& out, double value) {
  if (!std::isfinite(value)) return false;
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, result.ptr);
  return true;
}

void append_json_integer(std::string& out, long long value) {
  char buffer[24];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, result.ptr);
}

std::string& JsonObjectWriter::key(std::string_view name) {
  // Appended straight from the caller's literal. Staging `,"name":` in a
  // local array first looked cheaper, but GCC copied the bounded array with
  // `rep movsq`, whose start-up made this the hottest function in a profile.
  if (!first_) out_.push_back(',');
  first_ = false;
  out_.push_back('"');
  out_.append(name.data(), name.size());
  out_.append("\":", 2);
  return out_;
}

void JsonObjectWriter::string(std::string_view name, std::string_view value) { append_json_string(key(name), value); }

void JsonObjectWriter::integer(std::string_view name, long long value) { append_json_integer(key(name), value); }

void JsonObjectWriter::number(std::string_view name, double value) {
  if (std::isfinite(value)) append_json_number(key(name), value);
}

void JsonObjectWriter::boolean(std::string_view name, bool value) { key(name) += value ? "true" : "false"; }

void JsonObjectWriter::iso_time(std::string_view name, std::int64_t epoch_millis) {
  std::string& out = key(name);
  out.push_back('"');
  append_iso8601_millis(out, epoch_millis);
  out.push_back('"');
}

}  // namespace sluice::track
