#pragma once
// The wire form of an IngestEvent: one compact JSON object with exactly the
// field names of the ingest contract (docs/ingest-contract.md); unknown
// optional fields are omitted, never null. encode_event() writes it straight
// into EncodedEvents with the event's type and ordering key.

#include <string>
#include <string_view>

#include "deliver/encoded_events.hpp"
#include "track/ingest_event.hpp"

namespace sluice::deliver {

struct IngestJsonContext {
  std::string_view connection_id;  // canonical lower-case UUID
  std::string_view framework = "celery";
};

void append_ingest_json(std::string& out, const track::IngestEvent& event, const IngestJsonContext& context);
std::string to_ingest_json(const track::IngestEvent& event, const IngestJsonContext& context);

// The events of one job, worker or queue share a key: delivery keeps their order.
EventKey ordering_key(const track::IngestEvent& event);
EventKind event_kind(const track::IngestEvent& event);

// Appends the event's JSON to `out` as one encoded event.
void encode_event(EncodedEvents& out, const track::IngestEvent& event, const IngestJsonContext& context);

}  // namespace sluice::deliver
