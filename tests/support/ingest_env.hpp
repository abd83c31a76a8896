#pragma once
// The environment that points a sluiced started by a test (SluicedDaemon)
// at the local HTTPS ingest server, trusting the test CA.

#include <string>

#include "support/ingest_server.hpp"
#include "support/sluiced_daemon.hpp"

namespace sluice::testing {

inline SluicedDaemon::Env ingest_env(const TestIngestServer& server, const std::string& ca_file) {
  return {{"SLUICE_SINK", "https"},
          {"SLUICE_API_KEY", server.api_key()},
          {"SLUICE_API_URL", server.base_url()},
          {"SLUICE_CA_FILE", ca_file}};
}

// The same with more settings after it.
inline SluicedDaemon::Env ingest_env(const TestIngestServer& server, const std::string& ca_file,
                                     const SluicedDaemon::Env& more) {
  auto env = ingest_env(server, ca_file);
  env.insert(env.end(), more.begin(), more.end());
  return env;
}

}  // namespace sluice::testing
