#include "deliver/ingest_sink.hpp"

#include <gtest/gtest.h>

namespace sluice::deliver {
namespace {

TEST(ApiError, ReadsCodeMessageAndDetails) {
  const auto error = parse_api_error(
      R"({"error":{"code":"VALIDATION_ERROR","message":"Invalid body","docs_url":"x",)"
      R"("details":[{"path":"events.0.type","message":"Required"}]}})");
  EXPECT_EQ(error.code, "VALIDATION_ERROR");
  EXPECT_EQ(error.message, "Invalid body");
  EXPECT_EQ(error.details, R"([{"message":"Required","path":"events.0.type"}])");
}

TEST(ApiError, AnyOtherBodyGivesEmptyFields) {
  for (const char* body : {"", "<html>502</html>", "[]", R"({"error":"x"})", R"({"ok":true})"}) {
    EXPECT_EQ(parse_api_error(body), ApiError{}) << body;
  }
}

TEST(ApiError, LongTextIsBounded) {
  const std::string long_message(10'000, 'm');
  const auto error = parse_api_error(R"({"error":{"code":"X","message":")" + long_message + R"("}})");
  EXPECT_LT(error.message.size(), 2100u);
}

TEST(ApiError, EchoedSecretsAreRedactedBeforeTheTextIsCut) {
  const Redactor redact({"sk_live_0123456789abcdef"});
  // The key straddles the cut: cutting first would leave half of it.
  const std::string padding(1990, 'm');
  const auto error = parse_api_error(R"({"error":{"code":"X","message":")" + padding +
                                         R"(sk_live_0123456789abcdef","details":{"authorization":"Bearer sk_other_1"}}})",
                                     redact);
  EXPECT_EQ(error.message.find("sk_live_0123"), std::string::npos) << error.message;
  EXPECT_EQ(error.message.substr(1990, 4), "****");
  EXPECT_EQ(error.details, R"({"authorization":"Bearer ****"})");
}

TEST(UserAgent, NamesTheVersion) { EXPECT_EQ(user_agent(), std::string("sluiced/") + SLUICE_VERSION); }

}  // namespace
}  // namespace sluice::deliver
