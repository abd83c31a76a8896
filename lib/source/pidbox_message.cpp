#include "source/pidbox_message.hpp"

#include <nlohmann/json.hpp>

#include "common/base64.hpp"

namespace sluice::source {

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
