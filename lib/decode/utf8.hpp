#pragma once
// Strings the decoder keeps must be valid UTF-8: they end up in JSON sent to
// the ingest API, and a serializer may hand over arbitrary bytes (msgpack,
// YAML, raw bytes in JSON text). Invalid bytes become U+FFFD.

#include <string>
#include <string_view>

namespace sluice::decode {

bool is_valid_utf8(std::string_view bytes);

// `bytes` unchanged when valid; otherwise each invalid byte becomes U+FFFD.
std::string to_valid_utf8(std::string_view bytes);

}  // namespace sluice::decode
