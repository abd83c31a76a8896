#pragma once
// StateFields: the state fields of an encoded ingest event, read back out
// of its JSON, and a job event rewritten with another previousState. This
// is what supersession (supersession.hpp) needs when a quota halt collapses
// a job's waiting states into its latest one.
//
// The events are ours (ingest_json.cpp), so reading is a search, not a
// parse. In that JSON a `"` right after a `,` is always structural (a quote
// inside a string value is escaped as \"), and the fields before the body's
// state (type, timestamp, framework, connectionId, then externalId, name,
// queue, hostname, pid) hold no "state" key, so the first `,"state":"` is
// the job's or worker's state. An event where the search fails has no
// state fields, which only means it is neither superseded nor rewritten.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::deliver {

struct StateFields {
  std::string_view state;
  std::optional<std::string_view> previous;  // a job's previousState, when it has one
  std::size_t state_end = 0;     // offset just past the state value's closing quote
  std::size_t previous_end = 0;  // offset just past the previousState field (state_end without one)
};

std::optional<StateFields> read_state_fields(std::string_view json);

// Appends `json` (read as `fields`) to `out` with its previousState set to
// `previous`, or without one when `previous` is empty.
void append_with_previous_state(std::string& out, std::string_view json, const StateFields& fields,
                                std::optional<std::string_view> previous);

}  // namespace sluice::deliver
