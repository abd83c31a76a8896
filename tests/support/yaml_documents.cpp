#include "support/yaml_documents.hpp"

#include <yaml.h>

#include <charconv>
#include <memory>

namespace sluice::testing {
namespace {

using nlohmann::json;

json plain_scalar(const std::string& text) {
  if (text == "true" || text == "True") return true;
  if (text == "false" || text == "False") return false;
  if (text.empty() || text == "~" || text == "null") return nullptr;
  long long n = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (error == std::errc() && end == text.data() + text.size()) return n;
  return text;
}

// Builds values bottom-up: a stack of open collections, with the pending
// key of each open mapping.
struct Builder {
  struct Open {
    json value;
    std::optional<std::string> key;
  };
  std::vector<Open> stack;
  std::vector<json> documents;

  void add(json value) {
    if (stack.empty()) {
      documents.push_back(std::move(value));
      return;
    }
    Open& top = stack.back();
    if (top.value.is_array()) {
      top.value.push_back(std::move(value));
    } else if (!top.key) {
      top.key = value.is_string() ? value.get<std::string>() : value.dump();
    } else {
      top.value[*top.key] = std::move(value);
      top.key.reset();
    }
  }
  void close() {
    json value = std::move(stack.back().value);
    stack.pop_back();
    add(std::move(value));
  }
};

}  // namespace

Expected<std::vector<json>, std::string> parse_yaml_documents(const std::string& text) {
  yaml_parser_t parser;
  if (!yaml_parser_initialize(&parser)) return Unexpected(std::string("cannot initialise libyaml"));
  std::unique_ptr<yaml_parser_t, void (*)(yaml_parser_t*)> guard(&parser, yaml_parser_delete);
  yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  Builder builder;
  for (;;) {
    yaml_event_t event;
    if (!yaml_parser_parse(&parser, &event)) {
      return Unexpected(std::string(parser.problem ? parser.problem : "parse error") + " at line " +
                        std::to_string(parser.problem_mark.line + 1));
    }
    std::unique_ptr<yaml_event_t, void (*)(yaml_event_t*)> event_guard(&event, yaml_event_delete);
    switch (event.type) {
      case YAML_STREAM_END_EVENT: return builder.documents;
      case YAML_ALIAS_EVENT: return Unexpected(std::string("aliases are not supported"));
      case YAML_MAPPING_START_EVENT: builder.stack.push_back({json::object(), std::nullopt}); break;
      case YAML_SEQUENCE_START_EVENT: builder.stack.push_back({json::array(), std::nullopt}); break;
      case YAML_MAPPING_END_EVENT:
      case YAML_SEQUENCE_END_EVENT: builder.close(); break;
      case YAML_SCALAR_EVENT: {
        std::string value(reinterpret_cast<const char*>(event.data.scalar.value), event.data.scalar.length);
        builder.add(event.data.scalar.style == YAML_PLAIN_SCALAR_STYLE ? plain_scalar(value) : json(value));
        break;
      }
      default: break;
    }
  }
}

}  // namespace sluice::testing
