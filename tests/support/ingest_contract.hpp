#pragma once
// The event envelope of the ingest contract (docs/ingest-contract.md §3–§5)
// as a checker, for the test ingest server and end-to-end tests: returns the
// problems as {"path", "message"} objects, like the API's error.details.

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace sluice::testing {

// Key order is kept, so an event re-serialized by the server reads as sent.
using Json = nlohmann::ordered_json;

// Problems of one event; `index` prefixes the paths ("events.3.type").
Json event_problems(const Json& event, std::size_t index);

// Problems of a whole request body ({"events": [...]}); empty when valid.
Json body_problems(const Json& body);

bool is_iso_millis_utc(std::string_view text);  // 2026-02-27T10:30:00.000Z

}  // namespace sluice::testing
