#include "common/iso_time.hpp"

#include <cmath>

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(FormatIso8601, WritesUtcWithMillisecondsAndZ) {
  EXPECT_EQ(format_iso8601_millis(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_iso8601_millis(1'772'188'200'000), "2026-02-27T10:30:00.000Z");
  EXPECT_EQ(format_iso8601_millis(951'782'400'123), "2000-02-29T00:00:00.123Z");
  EXPECT_EQ(format_iso8601_millis(kMaxEpochMillis), "9999-12-31T23:59:59.999Z");
}

TEST(FormatIso8601, ClampsOutOfRangeValues) {
  EXPECT_EQ(format_iso8601_millis(-5), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_iso8601_millis(kMaxEpochMillis + 1000), "9999-12-31T23:59:59.999Z");
}

TEST(EpochMillisFromSeconds, TruncatesToTheMillisecondWithoutBinaryNoise) {
  EXPECT_EQ(epoch_millis_from_seconds(1795498138.7207358), 1795498138720);
  EXPECT_EQ(epoch_millis_from_seconds(1795498138.721), 1795498138721);
  EXPECT_EQ(epoch_millis_from_seconds(0.0015), 1);
  EXPECT_EQ(epoch_millis_from_seconds(-3.0), 0);
  EXPECT_EQ(epoch_millis_from_seconds(std::nan("")), 0);
  EXPECT_EQ(epoch_millis_from_seconds(1e300), kMaxEpochMillis);
}

// Timestamps copied from the tz-newyork (utcoffset 5) and tz-kolkata
// (utcoffset -6) captures: the sender's utcoffset is ignored, the float is
// already UTC, so the text matches the capture clock (2026-11-24 ~05:30 UTC).
TEST(EpochMillisFromSeconds, TimezoneCapturesFormatAsUtc) {
  EXPECT_EQ(format_iso8601_millis(epoch_millis_from_seconds(1795498353.9972272)), "2026-11-24T05:32:33.997Z");
  EXPECT_EQ(format_iso8601_millis(epoch_millis_from_seconds(1795498350.8707573)), "2026-11-24T05:32:30.870Z");
}

TEST(ParseIso8601, ReadsCeleryEtaWithOffsets) {
  EXPECT_EQ(parse_iso8601("2026-11-24T05:29:01.698606+00:00"), 1795498141698);
  EXPECT_EQ(parse_iso8601("2026-11-24T10:59:01.698606+05:30"), 1795498141698);
  EXPECT_EQ(parse_iso8601("2026-11-24T00:29:01.698-05:00"), 1795498141698);
  EXPECT_EQ(parse_iso8601("2026-11-24T00:29:01.698-0500"), 1795498141698);
  EXPECT_EQ(parse_iso8601("2026-11-24T05:29:01.698Z"), 1795498141698);
  EXPECT_EQ(parse_iso8601("2026-11-24T05:29:01.6"), 1795498141600);
  EXPECT_EQ(parse_iso8601("2026-11-24 05:29:01"), 1795498141000);
  EXPECT_EQ(parse_iso8601("2026-11-24T05:29"), 1795498140000);
  EXPECT_EQ(parse_iso8601("2026-11-24"), 1795478400000);
  EXPECT_EQ(parse_iso8601("2024-02-29T00:00:00Z"), 1709164800000);
}

TEST(ParseIso8601, RoundTripsItsOwnFormat) {
  for (std::int64_t millis : {std::int64_t{0}, std::int64_t{1795498141698}, kMaxEpochMillis}) {
    EXPECT_EQ(parse_iso8601(format_iso8601_millis(millis)), millis);
  }
}

TEST(ParseIso8601, RefusesMalformedText) {
  for (const char* bad : {"", "2026", "2026-13-01", "2026-02-30", "2025-02-29", "2026-11-24T25:00",
                          "2026-11-24T05:29:01.", "2026-11-24T05:29:01+5", "2026-11-24T05:29:01 +00:00",
                          "2026-11-24T05:29:01Zjunk", "1969-12-31T23:59:59Z", "x026-11-24", "2026-11-24T05"}) {
    EXPECT_FALSE(parse_iso8601(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace sluice
