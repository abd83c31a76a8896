#pragma once
// decode_message: one Redis pub/sub payload (a kombu envelope, §3 of
// docs/celery-protocol.md) → the Celery events it carries, or a typed
// error. Pure: no I/O, no clock; the app counts and logs what comes back.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/expected.hpp"
#include "decode/celery_event.hpp"
#include "decode/decode_error.hpp"

namespace sluice::decode {

// What one message may cost. Anyone who can publish on the broker can send
// a small compressed body that expands into millions of values; these
// bounds keep a hostile message to milliseconds and a few MB, whatever the
// serializer. A body over a bound is refused whole, as one decode error.
struct DecodeLimits {
  // Bound on the payload and on a decompressed body (Settings::max_message_bytes).
  std::size_t max_message_bytes = std::size_t{16} << 20;
  // Elements of a list body. Celery's event dispatcher flushes a task.multi
  // group at 24 events (its buffer_limit); 1024 leaves ample room for a
  // dispatcher configured otherwise.
  std::size_t max_elements = 1024;
  // Values of every kind in a body (maps, lists, scalars, keys excluded),
  // including the args/kwargs/result reprs and custom fields that are
  // skipped. A Celery event is 10-25 values, a full task.multi ~600.
  std::size_t max_values = std::size_t{1} << 16;
  // Nesting of maps and lists. An event is a map of scalars, one list
  // (loadavg) and kombu's tagged values: 3 levels inside a list.
  std::size_t max_depth = 64;
};

enum class MessageKind {
  events,   // an event message: `events` holds 0..n events (an empty list is fine)
  control,  // a remote-control (pidbox) broadcast: not decoded, no events
};

const char* to_string(MessageKind kind);

struct DecodedMessage {
  MessageKind kind = MessageKind::events;
  std::string exchange;     // properties.delivery_info.exchange, e.g. "celeryev"
  std::string routing_key;  // properties.delivery_info.routing_key, e.g. "task.multi"
  std::vector<CeleryEvent> events;          // in body order
  // Body elements that were not events (not_an_event, missing_field,
  // wrong_field_type): the first kKeptErrors of them. The app counts one
  // decode error per message, however many elements were not events.
  std::vector<DecodeError> element_errors;
  std::vector<DecodeError> field_issues;    // soft: wrong-typed optional fields, ignored (wrong_field_type); the first kKeptErrors

  static constexpr std::size_t kKeptErrors = 16;

  bool operator==(const DecodedMessage&) const = default;
};

// Scratch space for decode_message_into: a caller that decodes message after
// message keeps one, so a body's base64 and inflate buffers are allocated
// once, not per message.
struct DecodeBuffers {
  static constexpr std::size_t kKeptBytes = std::size_t{1} << 20;  // a huge message's buffer is given back

  std::string body[2];  // base64-decoded, inflated
  // Frees a buffer over kKeptBytes; true when it did.
  bool trim();
};

// Errors here concern the whole message (too_large … bad_body); a body that
// is a map is treated as a list of one, so a bad single event is an element
// error of an otherwise successful result.
Expected<DecodedMessage, DecodeError> decode_message(std::string_view payload, const DecodeLimits& limits);
// The same into `out`, reusing its vectors' capacity and `buffers`; `out`
// is complete when no error comes back.
std::optional<DecodeError> decode_message_into(std::string_view payload, const DecodeLimits& limits,
                                              DecodedMessage& out, DecodeBuffers& buffers);

}  // namespace sluice::decode
