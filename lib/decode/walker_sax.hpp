#pragma once
// WalkerSax: nlohmann's SAX interface in front of a ValueWalker. The msgpack
// front end reads bodies through it; bench/decode_bench also runs JSON
// bodies through it, to weigh the hand-written JSON reader against the
// library's parser on the same walk.

#include <limits>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "decode/value_walker.hpp"

namespace sluice::decode {

class WalkerSax : public nlohmann::json_sax<nlohmann::json> {
 public:
  // `format` names the serializer in parse errors ("msgpack").
  WalkerSax(ValueWalker& walker, const char* format) : walker_(walker), format_(format) {}

  bool null() override { return walker_.scalar(value(FieldValue::Kind::null)); }
  bool boolean(bool flag) override {
    FieldValue v = value(FieldValue::Kind::boolean);
    v.boolean = flag;
    return walker_.scalar(v);
  }
  bool number_integer(number_integer_t number) override { return integer(number); }
  bool number_unsigned(number_unsigned_t number) override {
    if (number <= static_cast<number_unsigned_t>(std::numeric_limits<long long>::max()))
      return integer(static_cast<long long>(number));
    return real(static_cast<double>(number));  // beyond a signed 64-bit integer
  }
  bool number_float(number_float_t number, const string_t&) override { return real(number); }
  bool string(string_t& text) override {
    FieldValue v = value(FieldValue::Kind::text);
    v.text = text;
    return walker_.scalar(v);
  }
  bool binary(binary_t&) override { return walker_.scalar(value(FieldValue::Kind::other)); }
  bool start_object(std::size_t) override { return walker_.start_map(); }
  bool key(string_t& key) override { return walker_.key(key); }
  bool end_object() override { return walker_.end_container(); }
  bool start_array(std::size_t) override { return walker_.start_list(); }
  bool end_array() override { return walker_.end_container(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& error) override {
    message_ = std::string(format_) + ": " + error.what();
    return false;
  }

  // The parser's complaint, if it had one.
  const std::optional<std::string>& message() const { return message_; }

 private:
  static FieldValue value(FieldValue::Kind kind) {
    FieldValue v;
    v.kind = kind;
    return v;
  }
  bool integer(long long number) {
    FieldValue v = value(FieldValue::Kind::integer);
    v.integer = number;
    v.real = static_cast<double>(number);
    return walker_.scalar(v);
  }
  bool real(double number) {
    FieldValue v = value(FieldValue::Kind::real);
    v.real = number;
    return walker_.scalar(v);
  }

  ValueWalker& walker_;
  const char* format_;
  std::optional<std::string> message_;
};

}  // namespace sluice::decode
