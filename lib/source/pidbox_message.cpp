#include "source/pidbox_message.hpp"

#include <nlohmann/json.hpp>

namespace sluice::source {
namespace {

// Standard base64 with padding. Kept private here: the shared decoder lives
// with the decode stage and this is the only encoder the daemon needs.
std::string base64_encode(std::string_view bytes) {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const auto n = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16 |
                   static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8 |
                   static_cast<unsigned char>(bytes[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6) out.push_back(alphabet[(n >> shift) & 0x3F]);
  }
  const size_t rest = bytes.size() - i;
  if (rest > 0) {
    std::uint32_t n = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
    if (rest == 2) n |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    out.push_back(alphabet[(n >> 18) & 0x3F]);
    out.push_back(alphabet[(n >> 12) & 0x3F]);
    out.push_back(rest == 2 ? alphabet[(n >> 6) & 0x3F] : '=');
    out.push_back('=');
  }
  return out;
}

}  // namespace

std::string pidbox_body(std::string_view method) {
  return R"({"method": )" + nlohmann::json(std::string(method)).dump(-1, ' ', true) +
         R"(, "arguments": {}, "destination": null, "pattern": null, "matcher": null})";
}

std::string pidbox_message(const PidboxBroadcast& b) {
  nlohmann::ordered_json envelope;  // kombu's key order, for easy comparison with captures
  envelope["body"] = base64_encode(pidbox_body(b.method));
  envelope["content-encoding"] = "utf-8";
  envelope["content-type"] = "application/json";
  envelope["headers"] = {{"clock", b.clock}, {"expires", b.expires}};
  envelope["properties"] = {
      {"delivery_mode", 2},
      {"delivery_info", {{"exchange", b.exchange}, {"routing_key", ""}}},
      {"priority", 0},
      {"body_encoding", "base64"},
      {"delivery_tag", b.delivery_tag},
  };
  return envelope.dump(-1, ' ', true);  // ASCII only, like Python's json.dumps
}

}  // namespace sluice::source
