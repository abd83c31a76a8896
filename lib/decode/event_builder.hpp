#pragma once
// EventBuilder: the one place that maps event fields to CeleryEvent,
// whatever the serializer (JSON, msgpack, YAML). It knows which fields
// sluiced keeps, checks each value's type (§4 of docs/celery-protocol.md)
// and decides at the end of a map whether it was an event.
// args, kwargs, result and unknown fields have no entry: callers skip them.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "decode/decode_message.hpp"

namespace sluice::decode {

// A kept list field (loadavg: 3 numbers) with more elements than this is of
// the wrong type; its numbers are not collected.
inline constexpr std::size_t kMaxListNumbers = 64;

// Kept text is cut to this many bytes (UTF-8 safe) as it is copied: more
// than any field of the ingest contract carries (a stacktrace, 50 000), so a
// hostile 16 MiB string costs a copy of 64 KiB, not of 16 MiB.
inline constexpr std::size_t kMaxTextBytes = std::size_t{64} << 10;

// One field value as the serializer gave it; views live until set() returns.
struct FieldValue {
  enum class Kind { null, boolean, integer, real, text, numbers, other };
  Kind kind = Kind::other;
  bool boolean = false;
  long long integer = 0;
  double real = 0;  // also set for integers
  std::string_view text;
  std::span<const double> numbers;  // a list whose elements are all numbers
};

struct FieldSpec;

// The field named `key`, or nullptr when sluiced does not keep it.
const FieldSpec* find_field(std::string_view key);

// kombu 5.3+ writes special Python types as {"__type__": t, "__value__": v}
// (§3.3); a decimal's text value is read as a number.
inline constexpr std::string_view kTagType = "__type__";
inline constexpr std::string_view kTagValue = "__value__";
void apply_tag(std::string_view type, FieldValue& value);

class EventBuilder {
 public:
  explicit EventBuilder(DecodedMessage& out) : out_(out) {}

  // A map element: begin() appends a provisional event to out.events,
  // set() fills it, finish() keeps it or replaces it by an element error.
  void begin();
  void set(const FieldSpec& field, const FieldValue& value);
  void finish();
  void reject(std::string_view what);  // an element that is not a map

 private:
  void issue(std::string_view field, const char* expected, const FieldValue& value);
  void element_error(DecodeErrorReason reason, std::string_view what);
  void drop(DecodeErrorReason reason, const std::string& what);

  DecodedMessage& out_;
  CeleryEvent* event_ = nullptr;  // the provisional event, last in out_.events
  std::vector<DecodeError> issues_;
  unsigned seen_ = 0;          // bits of required fields seen with the right type
  unsigned bad_required_ = 0;  // bits of required fields seen with a wrong type
  std::size_t index_ = 0;      // position of the current element in the body
};

}  // namespace sluice::decode
