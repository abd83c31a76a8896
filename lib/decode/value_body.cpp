// The body walker for serializers converted to a JSON value first
// (msgpack, YAML): same shapes and rules as json_body.cpp.
#include <limits>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "decode/body_decoders.hpp"
#include "decode/event_builder.hpp"

namespace sluice::decode {
namespace {

using json = nlohmann::json;
using Kind = FieldValue::Kind;

FieldValue scalar_value(const json& value) {
  FieldValue out;
  switch (value.type()) {
    case json::value_t::null: out.kind = Kind::null; break;
    case json::value_t::boolean: out.kind = Kind::boolean, out.boolean = value.get<bool>(); break;
    case json::value_t::number_integer:
      out.kind = Kind::integer, out.integer = value.get<long long>(), out.real = static_cast<double>(out.integer);
      break;
    case json::value_t::number_unsigned:
      out.real = value.get<double>();
      if (value.get<unsigned long long>() <= static_cast<unsigned long long>(std::numeric_limits<long long>::max())) {
        out.kind = Kind::integer, out.integer = value.get<long long>();
      } else {
        out.kind = Kind::real;
      }
      break;
    case json::value_t::number_float: out.kind = Kind::real, out.real = value.get<double>(); break;
    case json::value_t::string: out.kind = Kind::text, out.text = value.get_ref<const std::string&>(); break;
    default: break;  // containers, binary: Kind::other
  }
  return out;
}

FieldValue field_value(const json& value, std::vector<double>& numbers) {
  if (value.is_array()) {
    numbers.clear();
    for (const json& element : value) {
      if (!element.is_number()) return FieldValue{};
      numbers.push_back(element.get<double>());
    }
    FieldValue out;
    out.kind = Kind::numbers;
    out.numbers = numbers;
    return out;
  }
  if (value.is_object()) {  // a kombu 5.3+ tagged value (§3.3)
    const auto type = value.find(kTagType);
    const auto inner = value.find(kTagValue);
    if (value.size() != 2 || type == value.end() || !type->is_string() || inner == value.end() ||
        inner->is_structured())
      return FieldValue{};
    FieldValue out = scalar_value(*inner);
    apply_tag(type->get_ref<const std::string&>(), out);
    return out;
  }
  return scalar_value(value);
}

void element(const json& value, EventBuilder& builder, std::vector<double>& numbers) {
  if (!value.is_object()) return builder.reject(std::string("a ") + value.type_name() + ", not a map");
  builder.begin();
  for (const auto& [key, field] : value.items()) {
    if (const FieldSpec* spec = find_field(key)) builder.set(*spec, field_value(field, numbers));
  }
  builder.finish();
}

}  // namespace

std::optional<DecodeError> decode_value_body(const json& body, DecodedMessage& out) {
  EventBuilder builder(out);
  std::vector<double> numbers;
  if (body.is_object()) {
    element(body, builder, numbers);
  } else if (body.is_array()) {
    for (const json& value : body) element(value, builder, numbers);
  } else {
    return make_error(DecodeErrorReason::bad_body, std::string("body is a ") + body.type_name() + ", not a map or list");
  }
  return std::nullopt;
}

}  // namespace sluice::decode
