#pragma once
// The secrets among the settings, for every place that must hide them (the
// logger, the text of API answers): one list, so a new secret setting is
// added once.

#include "common/redact.hpp"
#include "config/settings.hpp"

namespace sluice::config {

// The API key and the Redis passwords (broker, sentinels, result backend), as configured (empty ones left out).
std::vector<std::string> secret_values(const Settings& settings);

// A Redactor that knows them.
inline Redactor secret_redactor(const Settings& settings) { return Redactor(secret_values(settings)); }

}  // namespace sluice::config
