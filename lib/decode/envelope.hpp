#pragma once
// The kombu envelope (§3): the JSON object around every event and pidbox
// message. Only the keys the decoder needs are kept, as views into the
// payload (no copies on the hot path); key order, spacing and unknown keys
// do not matter.

#include <forward_list>
#include <optional>
#include <string>
#include <string_view>

#include "decode/decode_error.hpp"

namespace sluice::decode {

struct Envelope {
  std::optional<std::string_view> content_type;   // serializer MIME type
  std::optional<std::string_view> compression;    // headers.compression
  std::optional<std::string_view> body_encoding;  // properties.body_encoding ("base64")
  std::string_view exchange;                      // properties.delivery_info.exchange
  std::string_view routing_key;                   // properties.delivery_info.routing_key
  std::string_view body;                          // the body text
  bool has_body = false;                          // body was a string (or a tagged bytes value)
  bool body_is_base64 = false;                    // kombu 5.3+ {"__type__": "base64"} body (§3.3)

  Envelope() = default;
  Envelope(const Envelope&) = delete;  // the views may point into owned_
  Envelope& operator=(const Envelope&) = delete;

  // Keeps a string that had JSON escapes (so is no view into the payload).
  std::string_view keep(std::string_view decoded) { return owned_.emplace_front(decoded); }

 private:
  std::forward_list<std::string> owned_;  // nodes never move; empty costs nothing
};

// Parses `payload` into `out`, whose views point into `payload`. Errors are
// invalid_json or not_kombu (no `properties` object); a missing body or
// content type is for the caller to judge: control messages need neither.
std::optional<DecodeError> parse_envelope(std::string_view payload, Envelope& out);

}  // namespace sluice::decode
