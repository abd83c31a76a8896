#include "observe/log.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

namespace sluice::observe {
namespace {

Logger::WallClock fixed_clock() {
  return [] { return std::chrono::system_clock::time_point(std::chrono::milliseconds(1'700'000'000'123)); };
}

TEST(Logger, WritesLogfmtLines) {
  std::ostringstream out;
  Logger log(out, Level::info, Format::text, fixed_clock());
  log.log(Level::info, "redis connected", {{"addr", "127.0.0.1:6379"}, {"note", "two words"}});
  EXPECT_EQ(out.str(),
            "time=2023-11-14T22:13:20.123Z level=info msg=\"redis connected\" addr=127.0.0.1:6379 "
            "note=\"two words\"\n");
}

TEST(Logger, WritesJsonLines) {
  std::ostringstream out;
  Logger log(out, Level::debug, Format::json, fixed_clock());
  log.log(Level::warn, "slow", {{"ms", "12"}});
  auto record = nlohmann::json::parse(out.str());
  EXPECT_EQ(record["level"], "warn");
  EXPECT_EQ(record["msg"], "slow");
  EXPECT_EQ(record["ms"], "12");
}

TEST(Logger, DropsRecordsBelowTheLevel) {
  std::ostringstream out;
  Logger log(out, Level::warn, Format::text, fixed_clock());
  log.log(Level::info, "hidden");
  EXPECT_EQ(out.str(), "");
}

TEST(Logger, RedactsSecretsEverywhere) {
  std::ostringstream out;
  Logger log(out, Level::debug, Format::text, fixed_clock());
  log.add_secret("sk_live_abcdef");
  log.add_secret("hunter2pw");
  log.log(Level::error, "auth failed for sk_live_abcdef", {{"url", "redis://u:hunter2pw@h"}});
  EXPECT_EQ(out.str().find("sk_live_abcdef"), std::string::npos) << out.str();
  EXPECT_EQ(out.str().find("hunter2pw"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("****"), std::string::npos);
}

TEST(Logger, RedactsSecretShapesAndSecretsThatEscapingWouldChange) {
  for (Format format : {Format::text, Format::json}) {
    std::ostringstream out;
    Logger log(out, Level::debug, format, fixed_clock());
    log.add_secret(R"(pw"with\quote)");
    log.log(Level::error, "API said: Bearer sk_live_someone_else", {{"password", R"(pw"with\quote)"}});
    EXPECT_EQ(out.str().find("sk_live_someone_else"), std::string::npos) << out.str();
    EXPECT_EQ(out.str().find("with"), std::string::npos) << out.str();
  }
}

TEST(Logger, EscapesControlCharactersInText) {
  std::ostringstream out;
  Logger log(out, Level::debug, Format::text, fixed_clock());
  log.log(Level::info, "x", {{"excerpt", "a\"b\nc\x01"}});
  EXPECT_NE(out.str().find(R"(excerpt="a\"b\nc\x01")"), std::string::npos) << out.str();
  const std::string text = out.str();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1);
}

TEST(LogRateLimiter, OneLinePerPeriodWithSuppressedCount) {
  LogRateLimiter limiter(std::chrono::seconds(60));
  LogRateLimiter::Clock::time_point t0{};
  std::uint64_t suppressed = 99;
  EXPECT_TRUE(limiter.allow("bad_json", t0, suppressed));
  EXPECT_EQ(suppressed, 0u);
  EXPECT_FALSE(limiter.allow("bad_json", t0 + std::chrono::seconds(1), suppressed));
  EXPECT_FALSE(limiter.allow("bad_json", t0 + std::chrono::seconds(2), suppressed));
  EXPECT_TRUE(limiter.allow("bad_base64", t0 + std::chrono::seconds(2), suppressed));
  EXPECT_TRUE(limiter.allow("bad_json", t0 + std::chrono::seconds(61), suppressed));
  EXPECT_EQ(suppressed, 2u);
}

}  // namespace
}  // namespace sluice::observe
