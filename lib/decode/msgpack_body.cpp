// application/x-msgpack (§3.2): kombu packs with use_bin_type, so strings
// are str and bytes are bin; nlohmann reads both.
#include <string>

#include <nlohmann/json.hpp>

#include "decode/body_decoders.hpp"

namespace sluice::decode {
namespace {

using json = nlohmann::json;

constexpr std::size_t kMaxDepth = 64;

// nlohmann's msgpack reader recurses once per nesting level; this first
// pass refuses deep input before the real parse could exhaust the stack.
class DepthCheck : public nlohmann::json_sax<json> {
 public:
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return enter(); }
  bool key(string_t&) override { return true; }
  bool end_object() override { return leave(); }
  bool start_array(std::size_t) override { return enter(); }
  bool end_array() override { return leave(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& error) override {
    message_ = error.what();
    return false;
  }

  const std::string& message() const { return message_; }

 private:
  bool enter() {
    if (++depth_ <= kMaxDepth) return true;
    message_ = "msgpack nested too deeply";
    return false;
  }
  bool leave() { return --depth_, true; }

  std::size_t depth_ = 0;
  std::string message_;
};

}  // namespace

std::optional<DecodeError> decode_msgpack_body(std::string_view body, DecodedMessage& out) {
  try {
    DepthCheck check;
    if (!json::sax_parse(body.begin(), body.end(), &check, json::input_format_t::msgpack, true))
      return make_error(DecodeErrorReason::bad_body, check.message());
    const json value = json::from_msgpack(body.begin(), body.end(), true, false);
    if (value.is_discarded()) return make_error(DecodeErrorReason::bad_body, "msgpack: invalid");
    return decode_value_body(value, out);
  } catch (const std::exception& error) {  // nlohmann reports some limits by throwing
    return make_error(DecodeErrorReason::bad_body, std::string("msgpack: ") + error.what());
  }
}

}  // namespace sluice::decode
