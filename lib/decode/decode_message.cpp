#include "decode/decode_message.hpp"

#include <malloc.h>

#include <algorithm>
#include <cctype>

#include "common/base64.hpp"
#include "common/utf8.hpp"
#include "decode/body_decoders.hpp"
#include "decode/envelope.hpp"
#include "decode/inflate.hpp"

namespace sluice::decode {
namespace {

enum class Serializer { json, msgpack, yaml, pickle, unknown };

// "application/JSON; charset=utf-8" → "application/json".
std::string media_type(std::string_view content_type) {
  content_type = content_type.substr(0, content_type.find(';'));
  while (!content_type.empty() && content_type.back() == ' ') content_type.remove_suffix(1);
  while (!content_type.empty() && content_type.front() == ' ') content_type.remove_prefix(1);
  std::string lower(content_type);
  std::ranges::transform(lower, lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

Serializer serializer_of(std::string_view content_type) {
  if (content_type == "application/json") return Serializer::json;  // the common case, no copy
  const std::string type = media_type(content_type);
  if (type == "application/json") return Serializer::json;
  if (type == "application/x-msgpack") return Serializer::msgpack;
  if (type == "application/x-yaml") return Serializer::yaml;
  if (type == "application/x-python-serialize") return Serializer::pickle;
  return Serializer::unknown;
}

Unexpected<DecodeError> fail(DecodeErrorReason reason, std::string_view excerpt) {
  return Unexpected(make_error(reason, excerpt));
}

// base64 (§3 body_encoding), then decompression (§3 headers.compression).
// Returns a view of the body bytes, stored in `scratch` when transformed.
Expected<std::string_view, DecodeError> body_bytes(const Envelope& envelope, const DecodeLimits& limits,
                                                   std::string (&scratch)[2]) {
  std::string_view bytes = envelope.body;
  const auto& encoding = envelope.body_encoding;
  // kombu 5.4+ leaves the body as is under a non-default "utf-8" encoding (§10).
  if (encoding && *encoding != "base64" && *encoding != "utf-8" && *encoding != "utf8")
    return fail(DecodeErrorReason::bad_envelope, "unknown body_encoding " + std::string(*encoding));
  if (envelope.body_is_base64 || (encoding && *encoding == "base64")) {
    if (!base64_decode_into(bytes, scratch[0]))
      return fail(DecodeErrorReason::bad_base64, "body of " + std::to_string(bytes.size()) + " chars is not base64");
    bytes = scratch[0];
  }
  if (!envelope.compression) return bytes;
  const std::string_view compression = *envelope.compression;
  if (compression != "application/x-gzip" && compression != "gzip" && compression != "zlib")
    return fail(DecodeErrorReason::unsupported_compression, compression);
  switch (inflate_zlib(bytes, limits.max_message_bytes, scratch[1])) {
    case InflateResult::ok: return std::string_view(scratch[1]);
    case InflateResult::too_large:
      return fail(DecodeErrorReason::too_large, "body inflates past " + std::to_string(limits.max_message_bytes) + " bytes");
    case InflateResult::corrupt: break;
  }
  return fail(DecodeErrorReason::decompress_failed, "corrupt zlib stream of " + std::to_string(bytes.size()) + " bytes");
}

std::optional<DecodeError> decode_body(Serializer serializer, std::string_view bytes, const DecodeLimits& limits,
                                       DecodedMessage& out) {
  switch (serializer) {
    case Serializer::json: return decode_json_body(bytes, limits, out);
    case Serializer::msgpack: return decode_msgpack_body(bytes, limits, out);
    case Serializer::yaml: return decode_yaml_body(bytes, limits, out);
    default: return make_error(DecodeErrorReason::unknown_content_type, "no serializer");
  }
}

}  // namespace

const char* to_string(MessageKind kind) { return kind == MessageKind::control ? "control" : "events"; }

std::optional<DecodeError> decode_message_into(std::string_view payload, const DecodeLimits& limits,
                                              DecodedMessage& out, DecodeBuffers& buffers) {
  out.kind = MessageKind::events;
  out.events.clear();  // the vectors keep their capacity for the next message
  out.element_errors.clear();
  out.field_issues.clear();
  if (payload.size() > limits.max_message_bytes)
    return make_error(DecodeErrorReason::too_large, "payload of " + std::to_string(payload.size()) + " bytes, limit " +
                                                        std::to_string(limits.max_message_bytes));
  Envelope envelope;
  if (auto error = parse_envelope(payload, envelope)) return error;
  out.exchange = utf8::to_valid(envelope.exchange);
  out.routing_key = utf8::to_valid(envelope.routing_key);
  if (out.exchange.ends_with(".pidbox")) {  // remote control (§2.5, §7): not ours to decode
    out.kind = MessageKind::control;
    return std::nullopt;
  }
  if (!envelope.has_body) return make_error(DecodeErrorReason::bad_envelope, "no string body");
  if (!envelope.content_type) return make_error(DecodeErrorReason::bad_envelope, "no content-type");
  const std::string_view content_type = *envelope.content_type;
  const Serializer serializer = serializer_of(content_type);
  if (serializer == Serializer::pickle)  // §3.2: a non-Python daemon must not unpickle
    return make_error(DecodeErrorReason::pickle_refused, std::string(content_type) + " on " + out.routing_key);
  if (serializer == Serializer::unknown) return make_error(DecodeErrorReason::unknown_content_type, content_type);
  const auto bytes = body_bytes(envelope, limits, buffers.body);
  auto error = bytes ? decode_body(serializer, *bytes, limits, out) : bytes.error();
  if (buffers.trim()) {
#if defined(__GLIBC__)
    // glibc keeps freed heap pages mapped (a 16 MiB inflate buffer raises its
    // mmap threshold, so the next one lands on the heap): give them back.
    malloc_trim(0);
#endif
  }
  return error;
}

Expected<DecodedMessage, DecodeError> decode_message(std::string_view payload, const DecodeLimits& limits) {
  DecodedMessage out;
  DecodeBuffers buffers;
  if (auto error = decode_message_into(payload, limits, out, buffers)) return Unexpected(*std::move(error));
  return out;
}

bool DecodeBuffers::trim() {
  bool released = false;
  for (auto& buffer : body) {
    if (buffer.capacity() <= kKeptBytes) continue;
    std::string().swap(buffer);
    released = true;
  }
  return released;
}

}  // namespace sluice::decode
