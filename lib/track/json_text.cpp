#include "track/json_text.hpp"

#include <charconv>
#include <cmath>

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

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  out.push_back('"');
  std::size_t pos = 0;
  while (pos < text.size()) {
    // Copy the run of plain ASCII at once; it is nearly all of the text.
    std::size_t run = pos;
    while (run < text.size() && !needs_care(static_cast<unsigned char>(text[run]))) ++run;
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
  if (!first_) out_.push_back(',');
  first_ = false;
  out_.push_back('"');
  out_.append(name);  // keys are our own ASCII literals
  out_ += "\":";
  return out_;
}

void JsonObjectWriter::string(std::string_view name, std::string_view value) {
  append_json_string(key(name), value);
}

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
