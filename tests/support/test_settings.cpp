#include "support/test_settings.hpp"

#include <gtest/gtest.h>

namespace sluice::testing {

config::Settings test_settings(const config::Environment& env) {
  config::Environment all = {{"SLUICE_CONNECTION_ID", "550e8400-e29b-41d4-a716-446655440000"},
                             {"SLUICE_API_KEY", "sk_test_key"}};
  for (const auto& [key, value] : env) all[key] = value;
  auto result = config::load_settings(config::CommandLine{}, all);
  for (const auto& error : result.errors) ADD_FAILURE() << "test settings: " << error;
  return result.settings;
}

}  // namespace sluice::testing
