#pragma once
// Contract-valid ingest events for delivery tests, numbered so tests can
// check order and completeness of what the server accepted.

#include <string>

#include <nlohmann/json.hpp>

#include "deliver/encoded_events.hpp"

namespace sluice::testing {

inline constexpr char kSampleConnectionId[] = "550e8400-e29b-41d4-a716-446655440000";

// A job_state_change for job `job` carrying sequence number `seq`
// (in job.extensions.seq), padded with `padding` bytes of text if asked.
inline std::string sample_job_event(const std::string& job, long long seq, std::size_t padding = 0) {
  nlohmann::ordered_json event = {
      {"type", "job_state_change"},
      {"timestamp", "2026-02-27T10:30:00.000Z"},
      {"framework", "celery"},
      {"connectionId", kSampleConnectionId},
      {"job", {{"externalId", job}, {"name", "tasks.add"}, {"state", "active"}, {"attempt", 1},
               {"extensions", {{"seq", seq}}}}}};
  if (padding > 0) event["job"]["stacktrace"] = std::string(padding, 'x');
  return event.dump();
}

struct SampleKey {
  std::string job;
  long long seq = -1;
};

// The member `name` of an object, or null (a missing member of a const json
// must not be reached through operator[]).
inline const nlohmann::json* json_member(const nlohmann::json& object, const char* name) {
  if (!object.is_object()) return nullptr;
  const auto found = object.find(name);
  return found == object.end() ? nullptr : &*found;
}

inline SampleKey sample_key(const std::string& event) {
  const auto doc = nlohmann::json::parse(event, nullptr, false);
  SampleKey key;
  const auto* job = json_member(doc, "job");
  if (job == nullptr) return key;
  if (const auto* id = json_member(*job, "externalId"); id != nullptr && id->is_string()) key.job = id->get<std::string>();
  const auto* extensions = json_member(*job, "extensions");
  const auto* seq = extensions == nullptr ? nullptr : json_member(*extensions, "seq");
  if (seq != nullptr && seq->is_number_integer()) key.seq = seq->get<long long>();
  return key;
}

// Pushes a sample event into a Deliverer or DeliveryThread with its job's
// ordering key, as the encoder would have given it.
template <class Target>
void push_sample(Target& target, const std::string& event) {
  target.push(event, deliver::EventKind::job, deliver::key_of(deliver::EventKind::job, sample_key(event).job));
}

}  // namespace sluice::testing
