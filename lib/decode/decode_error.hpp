#pragma once
// Why a payload (or one element of a task.multi list) yielded no event.
// Reasons are stable snake_case names: they become the `reason` label of
// sluiced_decode_errors_total, so renaming one is a breaking change.

#include <ostream>
#include <string>
#include <string_view>

namespace sluice::decode {

enum class DecodeErrorReason {
  too_large,                // payload (or decompressed body) over the size bound
  invalid_json,             // the envelope is not JSON text
  not_kombu,                // JSON, but not a kombu envelope (no properties)
  bad_envelope,             // kombu envelope with a missing or mistyped key
  bad_base64,               // body_encoding base64, body is not strict base64
  unsupported_compression,  // headers.compression other than zlib
  decompress_failed,        // zlib stream is corrupt or truncated
  unknown_content_type,     // serializer we do not speak
  pickle_refused,           // application/x-python-serialize: never decoded
  bad_body,                 // body does not parse, or is neither a map nor a list
  not_an_event,             // element is not a map, or has no string `type`
  missing_field,            // a required field (timestamp, hostname, task uuid) is absent
  wrong_field_type,         // a field holds the wrong JSON type
};

inline constexpr DecodeErrorReason kAllDecodeErrorReasons[] = {
    DecodeErrorReason::too_large,        DecodeErrorReason::invalid_json,
    DecodeErrorReason::not_kombu,        DecodeErrorReason::bad_envelope,
    DecodeErrorReason::bad_base64,       DecodeErrorReason::unsupported_compression,
    DecodeErrorReason::decompress_failed, DecodeErrorReason::unknown_content_type,
    DecodeErrorReason::pickle_refused,   DecodeErrorReason::bad_body,
    DecodeErrorReason::not_an_event,     DecodeErrorReason::missing_field,
    DecodeErrorReason::wrong_field_type,
};

const char* to_string(DecodeErrorReason reason);

struct DecodeError {
  DecodeErrorReason reason;
  std::string excerpt;  // printable, at most kMaxExcerpt bytes, for the log line

  bool operator==(const DecodeError&) const = default;
};

std::ostream& operator<<(std::ostream& os, const DecodeError& error);

inline constexpr std::size_t kMaxExcerpt = 80;

// `text` made printable for a log line: bytes outside 0x20..0x7e and the
// backslash are escaped (\xNN, \\); cut to kMaxExcerpt bytes with "...".
std::string make_excerpt(std::string_view text);

DecodeError make_error(DecodeErrorReason reason, std::string_view text);

}  // namespace sluice::decode
