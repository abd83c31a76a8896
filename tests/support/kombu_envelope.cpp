#include "support/kombu_envelope.hpp"

#include <nlohmann/json.hpp>

#include "support/base64_decode.hpp"

namespace sluice::testing {
namespace {

using nlohmann::json;

json parse(const std::string& text) { return json::parse(text, nullptr, false); }

// The value at a JSON pointer, or nothing (null) when absent.
json at(const json& document, const char* pointer) {
  const json::json_pointer where(pointer);
  if (!document.is_object() || !document.contains(where)) return json();
  return document[where];
}

std::string string_at(const json& document, const char* pointer) {
  const auto value = at(document, pointer);
  return value.is_string() ? value.get<std::string>() : std::string();
}

json body_of(const json& envelope) { return parse(base64_decode(string_at(envelope, "/body"))); }

}  // namespace

std::string routing_key_of(const std::string& payload) {
  return string_at(parse(payload), "/properties/delivery_info/routing_key");
}

std::string pidbox_method_of(const std::string& payload) { return string_at(body_of(parse(payload)), "/method"); }

std::vector<std::string> event_types_of(const std::string& payload) {
  const auto body = body_of(parse(payload));
  std::vector<std::string> out;
  if (body.is_array()) {
    for (const auto& event : body) out.push_back(string_at(event, "/type"));
  } else if (body.is_object()) {
    out.push_back(string_at(body, "/type"));
  }
  return out;
}

long long pidbox_clock_of(const std::string& payload) {
  const auto clock = at(parse(payload), "/headers/clock");
  return clock.is_number_integer() ? clock.get<long long>() : -1;
}

std::string delivery_tag_of(const std::string& payload) {
  return string_at(parse(payload), "/properties/delivery_tag");
}

}  // namespace sluice::testing
