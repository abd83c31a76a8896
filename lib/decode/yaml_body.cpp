// application/x-yaml (§3.2): PyYAML safe_dump text, read with yaml-cpp and
// converted to a JSON value. Plain scalars are resolved like PyYAML does
// (YAML 1.1): null, booleans, decimal ints, floats with a '.'; the rest,
// and every quoted scalar, is a string ("5.2.6", "(20, 22)").
#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <string>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "decode/body_decoders.hpp"

namespace sluice::decode {
namespace {

using json = nlohmann::json;

constexpr std::size_t kMaxDepth = 64;

bool one_of(std::string_view text, std::initializer_list<std::string_view> words) {
  return std::ranges::find(words, text) != words.end();
}

std::optional<json> resolve_number(std::string_view text) {
  std::string digits;  // YAML 1.1 allows '_' separators
  for (const char c : text) {
    if (c != '_') digits += c;
  }
  const std::string_view number = digits.starts_with('+') ? std::string_view(digits).substr(1) : digits;
  const char* end = number.data() + number.size();
  if (number.find_first_of(".eE") == std::string_view::npos) {
    long long integer = 0;
    const auto [ptr, ec] = std::from_chars(number.data(), end, integer);
    if (ec == std::errc{} && ptr == end && !number.empty()) return json(integer);
  }
  if (number.find('.') == std::string_view::npos) return std::nullopt;  // PyYAML: 1e5 is a string
  double real = 0;
  const auto [ptr, ec] = std::from_chars(number.data(), end, real, std::chars_format::general);
  if (ec == std::errc{} && ptr == end && !number.empty() && number != ".") return json(real);
  return std::nullopt;
}

json resolve_plain(const std::string& text) {
  if (one_of(text, {"", "~", "null", "Null", "NULL"})) return nullptr;
  if (one_of(text, {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"})) return true;
  if (one_of(text, {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"})) return false;
  if (one_of(text, {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"})) return std::numeric_limits<double>::infinity();
  if (one_of(text, {"-.inf", "-.Inf", "-.INF"})) return -std::numeric_limits<double>::infinity();
  if (one_of(text, {".nan", ".NaN", ".NAN"})) return std::numeric_limits<double>::quiet_NaN();
  if (auto number = resolve_number(text)) return *std::move(number);
  return text;
}

json scalar(const YAML::Node& node) {
  const std::string& tag = node.Tag();
  if (tag == "?") return resolve_plain(node.Scalar());
  if (tag == "tag:yaml.org,2002:str" || tag == "!") return node.Scalar();
  return resolve_plain(node.Scalar());  // explicit core tags (!!int, !!float …)
}

// Converts `node`; false when too deep or over the node budget (aliases can
// make a small text expand exponentially).
bool to_json(const YAML::Node& node, json& out, std::size_t depth, std::size_t& budget) {
  if (depth > kMaxDepth || budget == 0) return false;
  --budget;
  switch (node.Type()) {
    case YAML::NodeType::Scalar: out = scalar(node); return true;
    case YAML::NodeType::Sequence:
      out = json::array();
      for (const YAML::Node& item : node) {
        if (!to_json(item, out.emplace_back(), depth + 1, budget)) return false;
      }
      return true;
    case YAML::NodeType::Map:
      out = json::object();
      for (const auto& pair : node) {
        if (!pair.first.IsScalar()) continue;  // PyYAML keys of events are strings
        if (!to_json(pair.second, out[pair.first.Scalar()], depth + 1, budget)) return false;
      }
      return true;
    default: out = nullptr; return true;
  }
}

}  // namespace

std::optional<DecodeError> decode_yaml_body(std::string_view body, DecodedMessage& out) {
  try {
    const YAML::Node root = YAML::Load(std::string(body));
    json value;
    std::size_t budget = body.size() + 1;
    if (!to_json(root, value, 0, budget))
      return make_error(DecodeErrorReason::bad_body, "yaml: nested too deeply or too many aliases");
    return decode_value_body(value, out);
  } catch (const std::exception& error) {  // yaml-cpp reports every problem by throwing
    return make_error(DecodeErrorReason::bad_body, std::string("yaml: ") + error.what());
  }
}

}  // namespace sluice::decode
