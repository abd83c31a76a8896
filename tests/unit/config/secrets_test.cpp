#include "config/secrets.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace sluice::config {
namespace {

bool contains(const std::vector<std::string>& values, const std::string& value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

// Every secret a setting can carry is registered for redaction, the result
// backend's password included (it may differ from the broker's).
TEST(SecretValues, EverySecretSettingIsListed) {
  Settings settings;
  settings.api_key = "sk_live_key";
  settings.redis.password = "broker-pass";
  settings.result_backend = RedisUrl{};
  settings.result_backend->password = "backend-pass";
  const auto values = secret_values(settings);
  EXPECT_TRUE(contains(values, "sk_live_key"));
  EXPECT_TRUE(contains(values, "broker-pass"));
  EXPECT_TRUE(contains(values, "backend-pass"));
}

TEST(SecretValues, EmptySecretsAreNotListed) {
  Settings settings;
  settings.api_key.clear();
  settings.redis.password.clear();
  EXPECT_TRUE(secret_values(settings).empty());
}

}  // namespace
}  // namespace sluice::config
