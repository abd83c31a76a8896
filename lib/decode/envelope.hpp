#pragma once
// The kombu envelope (§3): the JSON object around every event and pidbox
// message. Only the keys the decoder needs are kept; key order, spacing and
// unknown keys do not matter.

#include <optional>
#include <string>
#include <string_view>

#include "common/expected.hpp"
#include "decode/decode_error.hpp"

namespace sluice::decode {

struct Envelope {
  std::optional<std::string> content_type;  // serializer MIME type
  std::optional<std::string> compression;   // headers.compression
  std::optional<std::string> body_encoding; // properties.body_encoding ("base64")
  std::string exchange;                     // properties.delivery_info.exchange
  std::string routing_key;                  // properties.delivery_info.routing_key
  bool has_body = false;                    // body was a string (or a tagged bytes value)
  bool body_is_base64 = false;              // kombu 5.3+ {"__type__": "base64"} body (§3.3)

  // The body text: a view into the payload when it had no JSON escapes.
  std::string_view body() const { return owned_body_ ? std::string_view(body_copy_) : body_view_; }
  void set_body(std::string_view text, bool in_payload);

 private:
  std::string_view body_view_;
  std::string body_copy_;
  bool owned_body_ = false;
};

// Parses `payload`; errors are invalid_json or not_kombu (no `properties`
// object). Missing body or content type are left for the caller to judge:
// a control (pidbox) message is not decoded further.
Expected<Envelope, DecodeError> parse_envelope(std::string_view payload);

}  // namespace sluice::decode
