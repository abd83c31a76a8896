#pragma once
// ValueWalker: the body walker for the serializers read as a stream of
// parse events (msgpack through nlohmann's SAX interface, YAML through
// libyaml): same shapes and rules as json_body.cpp. Nothing is built but the
// events: a body is never turned into a tree, so its cost is bounded by the
// DecodeLimits (values, elements, depth), which it enforces as it goes.
//
// Each call returns false once the body is refused; error() then says why,
// and the parser driving the walker must stop.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "decode/decode_message.hpp"
#include "decode/event_builder.hpp"

namespace sluice::decode {

class ValueWalker {
 public:
  ValueWalker(const DecodeLimits& limits, DecodedMessage& out) : limits_(limits), builder_(out) {}

  bool start_map();
  bool start_list();
  bool end_container();  // of the innermost map or list
  bool key(std::string_view key);  // in a map, before each value; views live for the call
  bool scalar(const FieldValue& value);  // kind null … text, or other (bytes)

  // Call when the parser is done: the body's error, if any. `parse_error`
  // is the parser's own complaint (with the serializer's name), if it had one.
  std::optional<DecodeError> finish(std::optional<std::string> parse_error);

 private:
  enum class Frame : unsigned char { elements, event, numbers, tagged, skipped };

  bool start_container(bool map);
  bool value_starts(bool container);
  bool refuse(DecodeErrorReason reason, std::string what);
  void field_done(const FieldValue& value);

  const DecodeLimits& limits_;
  EventBuilder builder_;
  std::vector<Frame> frames_;
  std::size_t values_ = 0;
  std::size_t elements_ = 0;
  bool top_seen_ = false;
  bool top_is_container_ = false;
  std::string top_kind_;
  std::optional<DecodeError> error_;

  const FieldSpec* field_ = nullptr;  // the kept field whose value comes next, in an event
  std::vector<double> numbers_;       // a kept field's list
  bool all_numbers_ = false;
  // A kept field's tagged map {"__type__": t, "__value__": v}.
  std::string tag_key_;
  std::string tag_type_;
  std::string tag_text_;
  FieldValue tag_value_;
  bool has_type_ = false;
  bool has_value_ = false;
  bool tag_other_ = false;
};

}  // namespace sluice::decode
