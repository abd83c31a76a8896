#pragma once
// Base64 (RFC 4648 §4, standard alphabet, '=' padding) as kombu writes it:
// Python's base64.b64encode always pads, so decoding is strict — any byte
// outside the alphabet, misplaced or missing padding refuses the input.

#include <optional>
#include <string>
#include <string_view>

namespace sluice {

std::string base64_encode(std::string_view bytes);
// Appends the encoding of `bytes` to `out` (no allocation once `out` has room).
void base64_encode_append(std::string_view bytes, std::string& out);

// Decodes `text` into `out` (replacing its content, reusing its capacity).
// Returns false, leaving `out` unspecified, when `text` is not strict base64.
bool base64_decode_into(std::string_view text, std::string& out);

std::optional<std::string> base64_decode(std::string_view text);

}  // namespace sluice
