#include "app/log_setup.hpp"

#include "config/secrets.hpp"

namespace sluice::app {

observe::Level to_log_level(config::LogLevel level) {
  switch (level) {
    case config::LogLevel::debug: return observe::Level::debug;
    case config::LogLevel::info: return observe::Level::info;
    case config::LogLevel::warn: return observe::Level::warn;
    case config::LogLevel::error: return observe::Level::error;
  }
  return observe::Level::info;
}

observe::Format to_log_format(config::LogFormat format) {
  return format == config::LogFormat::json ? observe::Format::json : observe::Format::text;
}

void register_secrets(observe::Logger& log, const config::Settings& settings) {
  for (const auto& secret : config::secret_values(settings)) log.add_secret(secret);
}

}  // namespace sluice::app
