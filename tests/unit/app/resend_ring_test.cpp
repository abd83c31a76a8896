// ResendRing: a standby's recent events, re-sent at takeover oldest first,
// bounded by time window, count and bytes.

#include "app/resend_ring.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sluice::app {
namespace {

using namespace std::chrono_literals;
using Clock = ResendRing::Clock;

const Clock::time_point kT0{std::chrono::hours(100)};
const deliver::IngestJsonContext kContext{"2c9d51f4-6a0e-4b8e-9f7d-0e4a1b3c5d77"};

track::IngestEvent job(const std::string& id, track::JobState state = track::JobState::queued) {
  track::Job j;
  j.external_id = id;
  j.name = "app.add";
  j.state = state;
  return track::IngestEvent{1'795'498'138'000, j};
}

struct Replayed {
  std::vector<std::string> json;
  std::vector<deliver::EventKey> keys;
};

Replayed replay(ResendRing& ring, Clock::time_point now) {
  Replayed out;
  ring.replay(now, [&](std::string_view json, deliver::EventKind kind, deliver::EventKey key) {
    EXPECT_EQ(kind, deliver::EventKind::job);
    out.json.emplace_back(json);
    out.keys.push_back(key);
  });
  return out;
}

TEST(ResendRing, ReplaysWhatItKeptOldestFirstAsDeliveryWouldEncodeIt) {
  ResendRing ring(10s, 100, 1 << 20);
  const auto a = job("a"), b = job("b"), a2 = job("a", track::JobState::active);
  EXPECT_EQ(ring.keep(a, kContext, kT0), 0u);
  EXPECT_EQ(ring.keep(b, kContext, kT0 + 1s), 0u);
  EXPECT_EQ(ring.keep(a2, kContext, kT0 + 2s), 0u);
  const Replayed r = replay(ring, kT0 + 3s);
  ASSERT_EQ(r.json.size(), 3u);
  // Byte for byte what delivery sends: the ingest API deduplicates a re-sent event only if identical.
  EXPECT_EQ(r.json[0], deliver::to_ingest_json(a, kContext));
  EXPECT_EQ(r.json[1], deliver::to_ingest_json(b, kContext));
  EXPECT_EQ(r.json[2], deliver::to_ingest_json(a2, kContext));
  EXPECT_EQ(r.keys[0], deliver::ordering_key(a));
  EXPECT_EQ(r.keys[0], r.keys[2]);  // one job, one key: its order holds
  EXPECT_EQ(ring.size(), 0u);       // handed over once
  EXPECT_TRUE(replay(ring, kT0 + 3s).json.empty());
}

TEST(ResendRing, ForgetsWhatLeftTheWindow) {
  ResendRing ring(10s, 100, 1 << 20);
  ring.keep(job("old"), kContext, kT0);
  ring.keep(job("new"), kContext, kT0 + 5s);
  const Replayed r = replay(ring, kT0 + 12s);
  ASSERT_EQ(r.json.size(), 1u);
  EXPECT_NE(r.json[0].find("\"new\""), std::string::npos);
}

TEST(ResendRing, CountBoundPushesOutTheOldestAndSaysHowMany) {
  ResendRing ring(10s, 2, 1 << 20);
  EXPECT_EQ(ring.keep(job("a"), kContext, kT0), 0u);
  EXPECT_EQ(ring.keep(job("b"), kContext, kT0), 0u);
  EXPECT_EQ(ring.keep(job("c"), kContext, kT0), 1u);
  const Replayed r = replay(ring, kT0);
  ASSERT_EQ(r.json.size(), 2u);
  EXPECT_NE(r.json[0].find("\"b\""), std::string::npos);
  EXPECT_NE(r.json[1].find("\"c\""), std::string::npos);
}

TEST(ResendRing, ByteBoundPushesOutTheOldest) {
  const std::size_t one = deliver::to_ingest_json(job("a"), kContext).size() + 1;  // with its separator
  ResendRing ring(10s, 100, 2 * one);
  ring.keep(job("a"), kContext, kT0);
  ring.keep(job("b"), kContext, kT0);
  EXPECT_EQ(ring.keep(job("c"), kContext, kT0), 1u);
  EXPECT_LE(ring.bytes(), 2 * one);
  EXPECT_EQ(replay(ring, kT0).json.size(), 2u);
  ResendRing tiny(10s, 100, one / 2);  // no event fits
  EXPECT_EQ(tiny.keep(job("a"), kContext, kT0), 1u);
  EXPECT_EQ(tiny.size(), 0u);
}

TEST(ResendRing, ZeroBoundsTurnTheResendOff) {
  ResendRing ring(10s, 0, 1 << 20);
  EXPECT_EQ(ring.keep(job("a"), kContext, kT0), 0u);
  EXPECT_EQ(ring.size(), 0u);
}

}  // namespace
}  // namespace sluice::app
