#pragma once
// JsonReader: a strict pull parser over JSON text (RFC 8259 plus Python's
// NaN/Infinity literals, which json.dumps writes for non-finite floats).
// It is the decode hot path: strings without escapes come back as views
// into the input, nothing is allocated per value, and skipping is iterative
// so hostile nesting cannot exhaust the stack.

#include <cstddef>
#include <string>
#include <string_view>

namespace sluice::decode {

enum class JsonKind { object, array, string, number, boolean, null, invalid };

struct JsonNumber {
  bool is_integer = false;  // written without fraction/exponent and fits long long
  long long integer = 0;
  double real = 0;  // always set
};

class JsonReader {
 public:
  explicit JsonReader(std::string_view text)
      : begin_(text.data()), p_(text.data()), end_(text.data() + text.size()) {}

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
  bool scan_escape();
  bool scan_digits();
  bool skip_scalar(JsonKind kind);

  const char* begin_;
  const char* p_;
  const char* end_;
  const char* error_at_ = nullptr;
  const char* error_ = nullptr;
  bool first_ = false;  // just entered a container: no ',' before the next item
  std::string scratch_;  // decoded strings that had escapes
  std::string nesting_;  // skip_value's stack of open containers
};

}  // namespace sluice::decode
