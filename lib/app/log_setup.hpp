#pragma once
// How the daemon's Logger follows the settings: level, format, and every
// secret registered for redaction before the first line is written.

#include "config/settings.hpp"
#include "observe/log.hpp"

namespace sluice::app {

observe::Level to_log_level(config::LogLevel level);
observe::Format to_log_format(config::LogFormat format);
void register_secrets(observe::Logger& log, const config::Settings& settings);

}  // namespace sluice::app
