#pragma once
// Settings for delivery tests that talk to a TestIngestServer, built through
// the real configuration loader (so they are valid by construction).

#include <stdexcept>
#include <string>

#include "config/load.hpp"
#include "support/ingest_server.hpp"
#include "support/sample_events.hpp"

namespace sluice::testing {

// `extra` adds or overrides SLUICE_* variables (e.g. SLUICE_COMPRESSION).
inline config::Settings ingest_settings(const TestIngestServer& server, const std::string& ca_file,
                                        config::Environment extra = {}) {
  config::Environment env = {{"SLUICE_API_KEY", server.api_key()},
                             {"SLUICE_API_URL", server.base_url()},
                             {"SLUICE_CONNECTION_ID", kSampleConnectionId},
                             {"SLUICE_CA_FILE", ca_file},
                             {"SLUICE_HTTP_CONNECT_TIMEOUT", "2s"},
                             {"SLUICE_HTTP_TIMEOUT", "5s"},
                             {"SLUICE_FLUSH_INTERVAL", "50ms"}};
  for (auto& [name, value] : extra) env[name] = value;
  auto loaded = config::load_settings(config::CommandLine{}, env);
  if (!loaded.ok()) throw std::runtime_error("test settings invalid: " + loaded.errors.front());
  return loaded.settings;
}

}  // namespace sluice::testing
