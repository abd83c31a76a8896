#pragma once
// The wire form of an IngestEvent: one compact JSON object with exactly the
// field names of docs/ingest-contract.md §3–§5; unknown optional fields
// are omitted, never null.

#include <string>
#include <string_view>

#include "track/ingest_event.hpp"

namespace sluice::track {

struct IngestJsonContext {
  std::string_view connection_id;  // canonical lower-case UUID
  std::string_view framework = "celery";
};

void append_ingest_json(std::string& out, const IngestEvent& event, const IngestJsonContext& context);
std::string to_ingest_json(const IngestEvent& event, const IngestJsonContext& context);

}  // namespace sluice::track
