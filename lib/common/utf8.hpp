#pragma once
// UTF-8 for text we forward: validating and repairing what a serializer
// hands over (msgpack, YAML and raw bytes in JSON text may be anything; the
// ingest API takes JSON), cutting to a byte limit without splitting a code
// point (docs/ingest-contract.md §4), and measuring the well-formed
// sequence at a position so writers can replace broken bytes.

#include <cstddef>
#include <string>
#include <string_view>

namespace sluice::utf8 {

// Length (1..4) of the well-formed UTF-8 sequence starting at text[pos], or
// 0 when the bytes there are not well-formed (stray continuation, overlong
// form, surrogate, > U+10FFFF, or cut short).
std::size_t sequence_length(std::string_view text, std::size_t pos);

bool is_valid(std::string_view text);

// `text` unchanged when valid; otherwise each byte that does not start a
// well-formed sequence becomes U+FFFD.
std::string to_valid(std::string_view text);

// The longest prefix of `text` of at most `max_bytes` bytes that does not end
// inside a well-formed multi-byte sequence. Malformed bytes count as one byte
// each, so the result never cuts more than needed.
std::string_view truncate(std::string_view text, std::size_t max_bytes);

// truncate() into a new string.
std::string truncated(std::string_view text, std::size_t max_bytes);

}  // namespace sluice::utf8
