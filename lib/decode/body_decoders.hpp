#pragma once
// Serializer front ends (§3.2): body bytes → events appended to `out`.
// A body is one event map or a list of them (§5); each returns an error only
// when the body as a whole is unusable (bad_body), and then `out` holds
// partial results the caller must discard.

#include <optional>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "decode/decode_message.hpp"

namespace sluice::decode {

// application/json: the hot path, parsed in place (json_reader.hpp).
std::optional<DecodeError> decode_json_body(std::string_view body, DecodedMessage& out);

// application/x-msgpack and application/x-yaml: converted to a JSON value
// first (rare, small messages), then walked by decode_value_body.
std::optional<DecodeError> decode_msgpack_body(std::string_view body, DecodedMessage& out);
std::optional<DecodeError> decode_yaml_body(std::string_view body, DecodedMessage& out);
std::optional<DecodeError> decode_value_body(const nlohmann::json& body, DecodedMessage& out);

}  // namespace sluice::decode
