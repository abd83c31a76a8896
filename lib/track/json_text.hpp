#pragma once
// Compact JSON writing for ingest events: strings escaped per RFC 8259 with
// malformed UTF-8 replaced by U+FFFD (the API accepts only UTF-8), numbers
// in their shortest round-trip form, objects built field by field.

#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::track {

void append_json_string(std::string& out, std::string_view text);
// Shortest text that reads back as the same double; false (nothing written)
// for NaN and infinities, which JSON cannot carry.
bool append_json_number(std::string& out, double value);
void append_json_integer(std::string& out, long long value);

// Writes one JSON object into `out`: `{` on construction, `}` on close().
class JsonObjectWriter {
 public:
  explicit JsonObjectWriter(std::string& out) : out_(out) { out_.push_back('{'); }

  // Writes `"key":` (after a comma when needed) and returns the buffer for
  // the value.
  std::string& key(std::string_view name);
  void string(std::string_view name, std::string_view value);
  void integer(std::string_view name, long long value);
  void number(std::string_view name, double value);  // omitted when not finite
  void boolean(std::string_view name, bool value);
  void iso_time(std::string_view name, std::int64_t epoch_millis);
  void close() { out_.push_back('}'); }

 private:
  std::string& out_;
  bool first_ = true;
};

}  // namespace sluice::track
