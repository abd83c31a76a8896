#pragma once
// What the test ingest server accepted, read as jobs: the last
// job_state_change per task id.

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "support/ingest_server.hpp"

namespace sluice::testing {

inline std::map<std::string, nlohmann::json> last_job_events(const TestIngestServer& server) {
  std::map<std::string, nlohmann::json> last;
  for (const auto& text : server.accepted_events()) {
    auto event = nlohmann::json::parse(text);
    if (event["type"] == "job_state_change") last[event["job"]["externalId"]] = event;
  }
  return last;
}

}  // namespace sluice::testing
