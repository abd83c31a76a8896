#include "deliver/retry_after.hpp"

#include <gtest/gtest.h>

namespace sluice::deliver {
namespace {

using namespace std::chrono_literals;
const std::chrono::system_clock::time_point kDateNow{std::chrono::seconds(784111777)};  // Sun, 06 Nov 1994 08:49:37 GMT

TEST(HttpDate, AcceptsTheThreeFormats) {
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
  EXPECT_EQ(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), 784111777);
  EXPECT_EQ(parse_http_date("Sun Nov  6 08:49:37 1994"), 784111777);
  EXPECT_EQ(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), 0);
}

TEST(HttpDate, RefusesOtherText) {
  for (const char* text : {"", "Sun, 06 Nov 1994 08:49:37", "Sun, 6 Nov 1994 08:49:37 GMT",
                           "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:49:37 GMT",
                           "2026-02-27T10:30:00Z", "Sun, 06 Nov 1994 08:49:37 GMT x"}) {
    EXPECT_EQ(parse_http_date(text), std::nullopt) << text;
  }
}

TEST(RetryAfter, DeltaSecondsAndDates) {
  EXPECT_EQ(parse_retry_after("120", kDateNow), 120s);
  EXPECT_EQ(parse_retry_after(" 7 ", kDateNow), 7s);
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:50:37 GMT", kDateNow), 60s);
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", kDateNow), 0s);
  EXPECT_EQ(parse_retry_after("86401", kDateNow), 86400s);
  EXPECT_EQ(parse_retry_after("", kDateNow), std::nullopt);
  EXPECT_EQ(parse_retry_after("3s", kDateNow), std::nullopt);
}

}  // namespace
}  // namespace sluice::deliver
