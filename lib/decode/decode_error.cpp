#include "decode/decode_error.hpp"

namespace sluice::decode {

const char* to_string(DecodeErrorReason reason) {
  switch (reason) {
    case DecodeErrorReason::too_large: return "too_large";
    case DecodeErrorReason::invalid_json: return "invalid_json";
    case DecodeErrorReason::not_kombu: return "not_kombu";
    case DecodeErrorReason::bad_envelope: return "bad_envelope";
    case DecodeErrorReason::bad_base64: return "bad_base64";
    case DecodeErrorReason::unsupported_compression: return "unsupported_compression";
    case DecodeErrorReason::decompress_failed: return "decompress_failed";
    case DecodeErrorReason::unknown_content_type: return "unknown_content_type";
    case DecodeErrorReason::pickle_refused: return "pickle_refused";
    case DecodeErrorReason::bad_body: return "bad_body";
    case DecodeErrorReason::not_an_event: return "not_an_event";
    case DecodeErrorReason::missing_field: return "missing_field";
    case DecodeErrorReason::wrong_field_type: return "wrong_field_type";
  }
  return "unknown";
}

std::ostream& operator<<(std::ostream& os, const DecodeError& error) {
  return os << to_string(error.reason) << ": " << error.excerpt;
}

std::string make_excerpt(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  static constexpr std::string_view kCut = "...";
  std::string out;
  out.reserve(kMaxExcerpt + 4);
  std::size_t cut_at = 0;  // last piece boundary that leaves room for kCut
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (out.size() <= kMaxExcerpt - kCut.size()) cut_at = out.size();
    if (c == '\\') {
      out += "\\\\";
    } else if (c < 0x20 || c > 0x7e) {
      out += {'\\', 'x', kHex[c >> 4], kHex[c & 15]};
    } else {
      out += ch;
    }
    if (out.size() > kMaxExcerpt) {
      out.resize(cut_at);
      out += kCut;
      return out;
    }
  }
  return out;
}

DecodeError make_error(DecodeErrorReason reason, std::string_view text) {
  return DecodeError{reason, make_excerpt(text)};
}

}  // namespace sluice::decode
