#include <string>
#include <vector>

#include "decode/body_decoders.hpp"
#include "decode/event_builder.hpp"
#include "decode/json_reader.hpp"

namespace sluice::decode {
namespace {

const char* kind_name(JsonKind kind) {
  switch (kind) {
    case JsonKind::object: return "map";
    case JsonKind::array: return "list";
    case JsonKind::string: return "string";
    case JsonKind::number: return "number";
    case JsonKind::boolean: return "boolean";
    case JsonKind::null: return "null";
    case JsonKind::invalid: break;
  }
  return "invalid value";
}

bool is_scalar(JsonKind kind) { return kind != JsonKind::object && kind != JsonKind::array && kind != JsonKind::invalid; }

// Walks the body once, handing kept fields to the EventBuilder and skipping
// everything else (args, kwargs, result, custom fields) without copying.
// Recursion stops at one level (a field's list or tagged map); deeper
// values go through the reader's iterative skip.
// The DecodeLimits are checked as it goes: values (those it reads and those
// the reader skips), elements of a list body, and a kept list's length.
class JsonBodyWalker {
 public:
  JsonBodyWalker(std::string_view body, const DecodeLimits& limits, DecodedMessage& out)
      : reader_(body, limits.max_depth), limits_(limits), builder_(out) {}

  std::optional<DecodeError> run() {
    const JsonKind top = reader_.peek();
    if (top == JsonKind::object) {
      element();
    } else if (top == JsonKind::array) {
      reader_.enter_array();
      ++values_;
      for (std::size_t elements = 0; !over_budget() && reader_.next_element(); ++elements) {
        if (elements == limits_.max_elements) {
          refuse("body has more than " + std::to_string(limits_.max_elements) + " elements");
          break;
        }
        element();
      }
    } else {
      reader_.skip_value();
    }
    if (refused_ || over_budget()) return error_;
    if (!reader_.at_end()) {
      const std::string why = reader_.failed() ? reader_.error() : "trailing data";
      return make_error(DecodeErrorReason::bad_body, "json: " + why + " at byte " + std::to_string(reader_.offset()));
    }
    if (top != JsonKind::object && top != JsonKind::array)
      return make_error(DecodeErrorReason::bad_body, std::string("body is a ") + kind_name(top) + ", not a map or list");
    return std::nullopt;
  }

 private:
  void refuse(std::string what) {
    refused_ = true;
    error_ = make_error(DecodeErrorReason::too_large, what);
  }

  // Values read here plus those the reader skipped.
  bool over_budget() {
    if (!refused_ && values_ + reader_.skipped_values() > limits_.max_values)
      refuse("body has more than " + std::to_string(limits_.max_values) + " values");
    return refused_;
  }

  void element() {
    const JsonKind kind = reader_.peek();
    if (kind == JsonKind::object) return event();
    if (reader_.skip_value()) builder_.reject(std::string("a ") + kind_name(kind) + ", not a map");
  }

  void event() {
    builder_.begin();
    reader_.enter_object();
    ++values_;
    std::string_view key;
    while (!over_budget() && reader_.next_member(key)) {
      const FieldSpec* field = find_field(key);
      if (field == nullptr) {
        reader_.skip_value();
        continue;
      }
      FieldValue value;
      read_value(value);
      if (reader_.failed() || refused_) return;
      builder_.set(*field, value);
    }
    if (!reader_.failed()) builder_.finish();
  }

  void read_value(FieldValue& value) {
    switch (reader_.peek()) {
      case JsonKind::object: return read_tagged(value);
      case JsonKind::array: return read_numbers(value);
      default: return read_scalar(value);
    }
  }

  void read_scalar(FieldValue& value) {
    JsonNumber number;
    ++values_;
    switch (reader_.peek()) {
      case JsonKind::string: value.kind = FieldValue::Kind::text, reader_.read_string(value.text); return;
      case JsonKind::boolean: value.kind = FieldValue::Kind::boolean, reader_.read_bool(value.boolean); return;
      case JsonKind::null: value.kind = FieldValue::Kind::null, reader_.read_null(); return;
      case JsonKind::number:
        reader_.read_number(number);
        value.kind = number.is_integer ? FieldValue::Kind::integer : FieldValue::Kind::real;
        value.integer = number.integer;
        value.real = number.real;
        return;
      default: reader_.skip_value(); return;
    }
  }

  void read_numbers(FieldValue& value) {
    numbers_.clear();
    bool all_numbers = true;
    reader_.enter_array();
    ++values_;
    JsonNumber number;
    while (!over_budget() && reader_.next_element()) {
      if (all_numbers && reader_.peek() == JsonKind::number && numbers_.size() < kMaxListNumbers) {
        reader_.read_number(number);
        ++values_;
        numbers_.push_back(number.real);
      } else {
        all_numbers = false;
        reader_.skip_value();
      }
    }
    value.kind = all_numbers ? FieldValue::Kind::numbers : FieldValue::Kind::other;
    value.numbers = numbers_;
  }

  // {"__type__": t, "__value__": v} with a scalar v is v; any other map is
  // a value of the wrong type.
  void read_tagged(FieldValue& value) {
    bool has_type = false;
    bool has_value = false;
    bool other = false;
    FieldValue inner;
    reader_.enter_object();
    ++values_;
    std::string_view key;
    while (!over_budget() && reader_.next_member(key)) {
      if (key == kTagType && !has_type && reader_.peek() == JsonKind::string) {
        std::string_view type;
        reader_.read_string(type);
        ++values_;
        tag_type_.assign(type);
        has_type = true;
      } else if (key == kTagValue && !has_value && is_scalar(reader_.peek())) {
        read_scalar(inner);
        tag_text_.assign(inner.text);  // the view may point at the reader's scratch
        inner.text = tag_text_;
        has_value = true;
      } else {
        other = true;
        reader_.skip_value();
      }
    }
    value = FieldValue{};
    if (has_type && has_value && !other) {
      value = inner;
      apply_tag(tag_type_, value);
    }
  }

  JsonReader reader_;
  const DecodeLimits& limits_;
  EventBuilder builder_;
  std::size_t values_ = 0;
  bool refused_ = false;
  std::optional<DecodeError> error_;
  std::vector<double> numbers_;
  std::string tag_type_;
  std::string tag_text_;
};

}  // namespace

std::optional<DecodeError> decode_json_body(std::string_view body, const DecodeLimits& limits, DecodedMessage& out) {
  return JsonBodyWalker(body, limits, out).run();
}

}  // namespace sluice::decode
