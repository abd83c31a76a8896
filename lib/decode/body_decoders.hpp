#pragma once
// Serializer front ends (§3.2): body bytes → events appended to `out`.
// A body is one event map or a list of them (§5); each returns an error only
// when the body as a whole is unusable (bad_body) or over the limits
// (too_large, bad_body when nested too deeply), and then `out` holds partial
// results the caller must discard.

#include <optional>
#include <string_view>

#include "decode/decode_message.hpp"

namespace sluice::decode {

// application/json: the hot path, parsed in place (json_reader.hpp).
std::optional<DecodeError> decode_json_body(std::string_view body, const DecodeLimits& limits, DecodedMessage& out);

// application/x-msgpack and application/x-yaml: their parsers' events
// drive a ValueWalker (value_walker.hpp); no tree is built.
std::optional<DecodeError> decode_msgpack_body(std::string_view body, const DecodeLimits& limits, DecodedMessage& out);
std::optional<DecodeError> decode_yaml_body(std::string_view body, const DecodeLimits& limits, DecodedMessage& out);

}  // namespace sluice::decode
