#include "decode/value_walker.hpp"

namespace sluice::decode {
namespace {

const char* kind_name(FieldValue::Kind kind) {
  switch (kind) {
    case FieldValue::Kind::null: return "null";
    case FieldValue::Kind::boolean: return "boolean";
    case FieldValue::Kind::integer:
    case FieldValue::Kind::real: return "number";
    case FieldValue::Kind::text: return "string";
    case FieldValue::Kind::numbers: return "list";
    case FieldValue::Kind::other: break;
  }
  return "binary";
}

bool is_number(const FieldValue& value) {
  return value.kind == FieldValue::Kind::integer || value.kind == FieldValue::Kind::real;
}

}  // namespace

bool ValueWalker::refuse(DecodeErrorReason reason, std::string what) {
  if (!error_) error_ = make_error(reason, what);
  return false;
}

// Every value, container or scalar, passes here first: the bounds.
bool ValueWalker::value_starts(bool container) {
  if (error_) return false;
  if (++values_ > limits_.max_values)
    return refuse(DecodeErrorReason::too_large, "body has more than " + std::to_string(limits_.max_values) + " values");
  if (container && frames_.size() >= limits_.max_depth)
    return refuse(DecodeErrorReason::bad_body, "nested more than " + std::to_string(limits_.max_depth) + " deep");
  if (!frames_.empty() && frames_.back() == Frame::elements && ++elements_ > limits_.max_elements)
    return refuse(DecodeErrorReason::too_large,
                  "body has more than " + std::to_string(limits_.max_elements) + " elements");
  return true;
}

bool ValueWalker::start_map() { return start_container(true); }
bool ValueWalker::start_list() { return start_container(false); }

// What a container is depends on where it opens: the body, an element, a
// kept field's value (a tagged map, a list of numbers), or skipped.
bool ValueWalker::start_container(bool map) {
  if (!value_starts(true)) return false;
  Frame frame = Frame::skipped;
  if (frames_.empty()) {
    top_seen_ = top_is_container_ = true;
    frame = map ? Frame::event : Frame::elements;
  } else {
    switch (frames_.back()) {
      case Frame::elements:
        if (map) {
          frame = Frame::event;
        } else {
          builder_.reject("a list, not a map");
        }
        break;
      case Frame::event:
        if (field_ == nullptr) break;
        frame = map ? Frame::tagged : Frame::numbers;  // a tagged value is kombu 5.3+'s (§3.3)
        has_type_ = has_value_ = tag_other_ = false;
        tag_key_.clear();
        numbers_.clear();
        all_numbers_ = true;
        break;
      case Frame::numbers: all_numbers_ = false; break;
      case Frame::tagged: tag_other_ = true; break;
      case Frame::skipped: break;
    }
  }
  if (frame == Frame::event) builder_.begin();
  frames_.push_back(frame);
  return true;
}

bool ValueWalker::end_container() {
  if (error_ || frames_.empty()) return false;
  const Frame frame = frames_.back();
  frames_.pop_back();
  if (frame == Frame::event) {
    builder_.finish();
  } else if (frame == Frame::numbers) {
    FieldValue value;
    value.kind = all_numbers_ ? FieldValue::Kind::numbers : FieldValue::Kind::other;
    value.numbers = numbers_;
    field_done(value);
  } else if (frame == Frame::tagged) {
    FieldValue value;
    if (has_type_ && has_value_ && !tag_other_) {
      value = tag_value_;
      value.text = tag_text_;
      apply_tag(tag_type_, value);
    }
    field_done(value);
  } else if (!frames_.empty() && frames_.back() == Frame::event) {
    field_ = nullptr;  // a skipped value of an unkept field
  }
  return true;
}

bool ValueWalker::key(std::string_view key) {
  if (error_ || frames_.empty()) return !error_;
  if (frames_.back() == Frame::event) field_ = find_field(key);
  if (frames_.back() == Frame::tagged) tag_key_.assign(key);
  return true;
}

bool ValueWalker::scalar(const FieldValue& value) {
  if (!value_starts(false)) return false;
  if (frames_.empty()) {
    top_seen_ = true;
    top_kind_ = kind_name(value.kind);
    return true;
  }
  switch (frames_.back()) {
    case Frame::elements: builder_.reject(std::string("a ") + kind_name(value.kind) + ", not a map"); break;
    case Frame::event: field_done(value); break;
    case Frame::numbers:
      if (!is_number(value) || numbers_.size() == kMaxListNumbers) {
        all_numbers_ = false;
      } else if (all_numbers_) {
        numbers_.push_back(value.real);
      }
      break;
    case Frame::tagged:
      if (tag_key_ == kTagType && !has_type_ && value.kind == FieldValue::Kind::text) {
        tag_type_.assign(value.text);
        has_type_ = true;
      } else if (tag_key_ == kTagValue && !has_value_) {
        tag_value_ = value;
        tag_text_.assign(value.text);
        has_value_ = true;
      } else {
        tag_other_ = true;
      }
      break;
    case Frame::skipped: break;
  }
  return true;
}

void ValueWalker::field_done(const FieldValue& value) {
  if (field_ != nullptr) builder_.set(*field_, value);
  field_ = nullptr;
}

std::optional<DecodeError> ValueWalker::finish(std::optional<std::string> parse_error) {
  if (error_) return error_;
  if (parse_error) return make_error(DecodeErrorReason::bad_body, *parse_error);
  if (!top_seen_) return make_error(DecodeErrorReason::bad_body, "empty body");
  if (!top_is_container_) return make_error(DecodeErrorReason::bad_body, "body is a " + top_kind_ + ", not a map or list");
  return std::nullopt;
}

}  // namespace sluice::decode
