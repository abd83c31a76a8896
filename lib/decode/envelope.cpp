#include "decode/envelope.hpp"

#include "decode/event_builder.hpp"
#include "decode/json_reader.hpp"

namespace sluice::decode {
namespace {

// One pass of the JSON reader over the envelope. Keys are compared before
// any value is read, so views into the reader's scratch stay valid.
class EnvelopeReader {
 public:
  EnvelopeReader(std::string_view payload, Envelope& out) : reader_(payload), payload_(payload), envelope_(out) {}

  std::optional<DecodeError> run() {
    if (reader_.peek() != JsonKind::object) {
      const bool json = reader_.skip_value() && reader_.at_end();
      return make_error(json ? DecodeErrorReason::not_kombu : DecodeErrorReason::invalid_json, payload_);
    }
    object([this](std::string_view key) { member(key); });
    if (!reader_.at_end()) return make_error(DecodeErrorReason::invalid_json, payload_);
    if (!has_properties_) return make_error(DecodeErrorReason::not_kombu, payload_);
    return std::nullopt;
  }

 private:
  void member(std::string_view key) {
    if (key == "body") return body();
    if (key == "content-type") return optional_string(envelope_.content_type);
    if (key == "headers") return object([this](std::string_view k) { headers(k); });
    if (key == "properties") {
      has_properties_ = reader_.peek() == JsonKind::object;
      return object([this](std::string_view k) { properties(k); });
    }
    reader_.skip_value();
  }

  void headers(std::string_view key) {
    if (key == "compression") return optional_string(envelope_.compression);
    reader_.skip_value();
  }

  void properties(std::string_view key) {
    if (key == "body_encoding") return optional_string(envelope_.body_encoding);
    if (key == "delivery_info") return object([this](std::string_view k) { delivery_info(k); });
    reader_.skip_value();
  }

  void delivery_info(std::string_view key) {
    if (key == "exchange") return string(envelope_.exchange);
    if (key == "routing_key") return string(envelope_.routing_key);
    reader_.skip_value();
  }

  // A string body, or kombu 5.3+'s tagged bytes (§3.3): {"__type__":
  // "bytes", "__value__": utf-8 text} or {"__type__": "base64", …}.
  void body() {
    envelope_.has_body = false;
    if (reader_.peek() == JsonKind::string) {
      string(envelope_.body);
      envelope_.has_body = !reader_.failed();
      return;
    }
    std::string_view type;
    bool has_value = false;
    bool other = false;
    object([&](std::string_view key) {
      if (key == kTagType && reader_.peek() == JsonKind::string) return string(type);
      if (key == kTagValue && reader_.peek() == JsonKind::string) return has_value = true, string(envelope_.body);
      other = true;
      reader_.skip_value();
    });
    envelope_.body_is_base64 = type == "base64";
    envelope_.has_body = has_value && !other && (type == "bytes" || type == "base64");
  }

  // Calls `member(key)` for each key when the value is an object; skips others.
  template <class Member>
  void object(Member&& member) {
    if (reader_.peek() != JsonKind::object) return void(reader_.skip_value());
    reader_.enter_object();
    std::string_view key;
    while (reader_.next_member(key)) member(key);
  }

  // A string value as a view into the payload, or kept by the envelope
  // when it had escapes; other values are skipped.
  void string(std::string_view& out) {
    std::string_view text;
    if (reader_.peek() != JsonKind::string) return void(reader_.skip_value());
    if (!reader_.read_string(text)) return;
    out = reader_.is_input_view(text) ? text : envelope_.keep(text);
  }

  void optional_string(std::optional<std::string_view>& out) {
    out.reset();
    if (reader_.peek() != JsonKind::string) return void(reader_.skip_value());
    string(out.emplace());
  }

  JsonReader reader_;
  std::string_view payload_;
  Envelope& envelope_;
  bool has_properties_ = false;
};

}  // namespace

std::optional<DecodeError> parse_envelope(std::string_view payload, Envelope& out) {
  return EnvelopeReader(payload, out).run();
}

}  // namespace sluice::decode
