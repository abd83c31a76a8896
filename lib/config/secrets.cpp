#include "config/secrets.hpp"

namespace sluice::config {

std::vector<std::string> secret_values(const Settings& settings) {
  std::vector<std::string> values;
  for (const std::string* secret : {&settings.api_key, &settings.redis.password, &settings.sentinel_password}) {
    if (!secret->empty()) values.push_back(*secret);
  }
  if (settings.result_backend && !settings.result_backend->password.empty()) {
    values.push_back(settings.result_backend->password);
  }
  return values;
}

}  // namespace sluice::config
