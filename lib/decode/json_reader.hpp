#pragma once
// JsonReader: a strict pull parser over JSON text (RFC 8259 plus Python's
// NaN/Infinity literals, which json.dumps writes for non-finite floats).
// It is the decode hot path: strings without escapes come back as views
// into the input, nothing is allocated per value, and skipping is iterative
// so hostile nesting cannot exhaust the stack.
//
// Why not nlohmann_json, which sluiced links anyway: on the 189 JSON event
// messages of the Celery 5.2 captures (bench/decode_bench), this reader
// walks a body into events in ~1.0 µs where nlohmann's SAX parser driving
// the same walk (value_walker.hpp) takes ~6.3 µs and its DOM parse alone
// ~7.8 µs, and reads an envelope (a ~540-character base64 string) in
// ~0.5 µs against ~8.7 µs (SAX) and ~10.6 µs (DOM): nlohmann copies every
// string and reads byte by byte (and it refuses Python's NaN). With the
// library a message would cost ~15 µs more, several times the ~4 µs an
// event costs end to end.

#include <cstddef>
#include <string>
#include <string_view>

#include "decode/json_scan.hpp"

namespace sluice::decode {

enum class JsonKind { object, array, string, number, boolean, null, invalid };

struct JsonNumber {
  bool is_integer = false;  // written without fraction/exponent and fits long long
  long long integer = 0;
  double real = 0;  // always set
};

class JsonReader {
 public:
  // skip_value refuses values nested deeper than `max_depth`.
  explicit JsonReader(std::string_view text, std::size_t max_depth = 512)
      : begin_(text.data()), p_(text.data()), end_(text.data() + text.size()), max_depth_(max_depth) {}

  // Kind of the next value, judged by its first byte (invalid at end/junk).
  JsonKind peek();

  // Containers: enter_object(), then `while (next_member(key)) read a value;`
  // — next_member returns false at '}' (consumed) or on error. Arrays alike.
  bool enter_object();
  bool next_member(std::string_view& key);
  bool enter_array();
  bool next_element();

  // Scalars. A string view lives until the next string is read.
  bool read_string(std::string_view& out);
  bool read_number(JsonNumber& out);
  bool read_bool(bool& out);
  bool read_null();
  bool skip_value();
  // How many values (containers and scalars) skip_value has passed over.
  std::size_t skipped_values() const { return skipped_values_; }

  bool at_end();  // true when only whitespace remains and nothing failed
  bool failed() const { return error_ != nullptr; }
  const char* error() const { return error_ != nullptr ? error_ : ""; }
  std::size_t offset() const { return static_cast<std::size_t>(error_at_ - begin_); }

  // True when `view` points into the input text (not into the scratch buffer).
  bool is_input_view(std::string_view view) const { return view.data() >= begin_ && view.data() <= end_; }

 private:
  bool fail(const char* what);
  void skip_whitespace();
  bool expect(char c, const char* what);
  bool literal(std::string_view word);
  template <bool Decode>
  bool scan_string(std::string_view& out);
  template <bool Decode>
  bool scan_escaped_string(const char* start, std::string_view& out);  // json_string.cpp
  template <bool Decode>
  bool scan_escape();
  bool scan_digits();
  bool read_non_finite(bool negative, JsonNumber& out);
  bool skip_scalar(JsonKind kind);

  const char* begin_;
  const char* p_;
  const char* end_;
  std::size_t max_depth_;
  const char* error_at_ = nullptr;
  const char* error_ = nullptr;
  bool first_ = false;  // just entered a container: no ',' before the next item
  std::string scratch_;  // decoded strings that had escapes
  std::string nesting_;  // skip_value's stack of open containers
  std::size_t skipped_values_ = 0;
};

// The hot path, inline on purpose: a Celery event is ~15 keys and values,
// and call overhead per token used to cost as much as the scanning.

inline void JsonReader::skip_whitespace() {
  while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
}

inline JsonKind JsonReader::peek() {
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
    default: return *p_ >= '0' && *p_ <= '9' ? JsonKind::number : JsonKind::invalid;
  }
}

inline bool JsonReader::expect(char c, const char* what) {
  skip_whitespace();
  if (p_ == end_ || *p_ != c) return fail(what);
  ++p_;
  return true;
}

inline bool JsonReader::enter_object() {
  if (!expect('{', "expected '{'")) return false;
  first_ = true;
  return true;
}

inline bool JsonReader::enter_array() {
  if (!expect('[', "expected '['")) return false;
  first_ = true;
  return true;
}

inline bool JsonReader::next_member(std::string_view& key) {
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

inline bool JsonReader::next_element() {
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

inline bool JsonReader::read_string(std::string_view& out) {
  if (peek() != JsonKind::string) return fail("expected a string");
  return scan_string<true>(out);
}

// At the opening quote. Strings without escapes are views into the input.
template <bool Decode>
inline bool JsonReader::scan_string(std::string_view& out) {
  const char* start = ++p_;
  p_ = json_scan::find_stop(p_, end_);
  if (p_ != end_ && *p_ == '"') {
    out = std::string_view(start, static_cast<std::size_t>(p_ - start));
    ++p_;
    return true;
  }
  return scan_escaped_string<Decode>(start, out);
}

}  // namespace sluice::decode
