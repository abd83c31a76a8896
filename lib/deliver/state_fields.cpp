#include "deliver/state_fields.hpp"

namespace sluice::deliver {
namespace {

constexpr std::string_view kState = ",\"state\":\"";
constexpr std::string_view kPrevious = ",\"previousState\":\"";

// The value of a string field whose opening quote ends at `at`: our state
// names are plain words, so the value ends at the next quote.
std::optional<std::string_view> value_at(std::string_view json, std::size_t at) {
  const std::size_t end = json.find('"', at);
  if (end == std::string_view::npos) return std::nullopt;
  const std::string_view value = json.substr(at, end - at);
  if (value.find('\\') != std::string_view::npos) return std::nullopt;
  return value;
}

}  // namespace

std::optional<StateFields> read_state_fields(std::string_view json) {
  const std::size_t state_at = json.find(kState);
  if (state_at == std::string_view::npos) return std::nullopt;
  const auto state = value_at(json, state_at + kState.size());
  if (!state || state->empty()) return std::nullopt;
  StateFields fields;
  fields.state = *state;
  fields.state_end = state_at + kState.size() + state->size() + 1;
  fields.previous_end = fields.state_end;
  if (json.substr(fields.state_end, kPrevious.size()) == kPrevious) {
    const auto previous = value_at(json, fields.state_end + kPrevious.size());
    if (!previous) return std::nullopt;
    fields.previous = *previous;
    fields.previous_end = fields.state_end + kPrevious.size() + previous->size() + 1;
  }
  return fields;
}

void append_with_previous_state(std::string& out, std::string_view json, const StateFields& fields,
                                std::optional<std::string_view> previous) {
  out.append(json.substr(0, fields.state_end));
  if (previous) out.append(kPrevious).append(*previous).push_back('"');
  out.append(json.substr(fields.previous_end));
}

}  // namespace sluice::deliver
