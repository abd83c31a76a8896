#pragma once
// Job, worker and queue events as the encoder writes them (ingest_json),
// for tests of what delivery does with states: supersession and ranking.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "deliver/encoded_events.hpp"
#include "deliver/ingest_json.hpp"
#include "support/sample_events.hpp"
#include "track/ingest_event.hpp"

namespace sluice::testing {

inline constexpr std::int64_t kStateEventTime = 1772188196000;

inline track::IngestEvent job_state_event(const std::string& id, track::JobState state,
                                          std::optional<track::JobState> previous) {
  track::Job job;
  job.external_id = id;
  job.name = "app.tasks.add";
  job.queue = "celery";
  job.state = state;
  job.previous_state = previous;
  return track::IngestEvent{kStateEventTime, job};
}

inline track::IngestEvent worker_state_event(const std::string& id, track::WorkerState state) {
  track::Worker worker;
  worker.external_id = id;
  worker.hostname = id;
  worker.pid = 42;
  worker.state = state;
  return track::IngestEvent{kStateEventTime, worker};
}

inline track::IngestEvent queue_event(const std::string& name, long long depth) {
  return track::IngestEvent{kStateEventTime, track::QueueSnapshot{name, depth, std::nullopt}};
}

inline void encode(deliver::EncodedEvents& into, const track::IngestEvent& event) {
  deliver::encode_event(into, event, deliver::IngestJsonContext{kSampleConnectionId});
}

// "job id:state<-previous" (or "job id:state" without one), "worker id:state",
// "queue name:depth": what a test compares sequences with.
inline std::string string_member(const nlohmann::json& object, const char* name) {
  const auto* member = json_member(object, name);
  return member != nullptr && member->is_string() ? member->get<std::string>() : std::string();
}

inline std::string state_summary(const std::string& json) {
  const auto doc = nlohmann::json::parse(json, nullptr, false);
  if (!doc.is_object()) return "unparsable";
  for (const char* kind : {"job", "worker"}) {
    const auto* body = json_member(doc, kind);
    if (body == nullptr) continue;
    std::string out = std::string(kind) + " " + string_member(*body, "externalId") + ":" + string_member(*body, "state");
    if (json_member(*body, "previousState") != nullptr) out += "<-" + string_member(*body, "previousState");
    return out;
  }
  if (const auto* queue = json_member(doc, "queue")) {
    const auto* depth = json_member(*queue, "depth");
    return "queue " + string_member(*queue, "name") + ":" + (depth != nullptr ? depth->dump() : "");
  }
  return "unknown";
}

// Problems with the previousState of job events in `events` (in the order the
// API accepted them): each must name the state of the job's event accepted
// before it, and the job's first must have none. Empty when all are truthful.
inline std::vector<std::string> untruthful_previous_states(const std::vector<std::string>& events) {
  std::vector<std::string> problems;
  std::map<std::string, std::string> last_state;
  for (const auto& json : events) {
    const std::string summary = state_summary(json);
    if (summary.rfind("job ", 0) != 0) continue;
    const auto colon = summary.find(':');
    const auto arrow = summary.find("<-");
    const std::string id = summary.substr(4, colon - 4);
    const std::string state = summary.substr(colon + 1, arrow == std::string::npos ? arrow : arrow - colon - 1);
    const std::string previous = arrow == std::string::npos ? "" : summary.substr(arrow + 2);
    if (previous != last_state[id]) problems.push_back(summary + " after \"" + last_state[id] + "\"");
    last_state[id] = state;
  }
  return problems;
}

}  // namespace sluice::testing
