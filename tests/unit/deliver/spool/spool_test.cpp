// The spool alone, on real files: order, read-back, deletion of what is
// settled, restarts, the byte bound, damaged files and failing writes.
#include "deliver/spool/spool.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "deliver/spool/record.hpp"
#include "support/temp_dir.hpp"
#include "support/test_paths.hpp"

namespace sluice::deliver::spool {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

std::string event_json(int i) { return R"({"type":"job_state_change","n":)" + std::to_string(i) + "}"; }

EncodedEvents events_from(int first, int count) {
  EncodedEvents events;
  for (int i = first; i < first + count; ++i) {
    events.append(event_json(i), EventKind::job, key_of(EventKind::job, std::to_string(i % 7)));
  }
  return events;
}

std::vector<std::string> texts(const EncodedEvents& events) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < events.size(); ++i) out.emplace_back(events.event(i));
  return out;
}

std::vector<std::string> expected(int first, int count) {
  std::vector<std::string> out;
  for (int i = first; i < first + count; ++i) out.push_back(event_json(i));
  return out;
}

std::vector<std::string> read_all(Spool& spool) {
  EncodedEvents into;
  while (spool.read(into, 1000) > 0) {
  }
  return texts(into);
}

std::vector<fs::path> segment_files(const std::string& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".seg") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

SpoolOptions options_for(const TempDir& dir) {
  SpoolOptions options;
  options.dir = dir.file("spool");
  options.max_bytes = 64 << 20;
  options.retry_interval = std::chrono::milliseconds(0);
  return options;
}

TEST(SpoolRecord, EventsSurviveTheRoundTrip) {
  EncodedEvents events = events_from(0, 3);
  events.append(R"({"type":"queue_snapshot"})", EventKind::queue, 99);
  const std::string record = encode_events(events, 0, events.size());
  const auto header = parse_header(record);
  ASSERT_TRUE(header);
  EXPECT_EQ(header->events, 4u);
  const std::string_view payload = std::string_view(record).substr(kRecordHeaderBytes);
  ASSERT_TRUE(verify(record, *header, payload));
  EncodedEvents back;
  ASSERT_TRUE(decode_events(payload, 4, back));
  EXPECT_EQ(texts(back), texts(events));
  EXPECT_EQ(back.kind(3), EventKind::queue);
  EXPECT_EQ(back.key(3), 99u);
  EXPECT_EQ(back.key(1), events.key(1));
}

TEST(SpoolRecord, AFlippedBitAnywhereFailsTheChecksum) {
  const std::string record = encode_events(events_from(0, 5), 0, 5);
  for (std::size_t at = 4; at < record.size(); at += 7) {
    std::string damaged = record;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x10);
    const auto header = parse_header(damaged);
    if (!header) continue;  // the header itself no longer parses: also caught
    const std::string_view payload = std::string_view(damaged).substr(kRecordHeaderBytes);
    EXPECT_FALSE(verify(damaged, *header, payload.substr(0, header->payload_bytes))) << "byte " << at;
  }
}

TEST(Spool, UnreadEventsAreReadBackInOrderWithTags) {
  TempDir dir;
  Spool spool(options_for(dir));
  for (int group = 0; group < 10; ++group) {
    EncodedEvents events = events_from(group * 100, 100);
    ASSERT_EQ(spool.append(events, false), 100u);
    EXPECT_NE(events.tag(0), 0) << "written events carry the spool's tag";
  }
  EXPECT_EQ(spool.unread_events(), 1000u);
  EncodedEvents into;
  EXPECT_EQ(spool.read(into, 250), 300u) << "whole records (of 100 here) until at least 250";
  while (spool.read(into, 1000) > 0) {
  }
  EXPECT_EQ(texts(into), expected(0, 1000));
  EXPECT_FALSE(spool.has_unread());
  EXPECT_NE(into.tag(999), 0);
}

TEST(Spool, HandedEventsAreNotReadBackAndSettledSegmentsAreDeleted) {
  TempDir dir;
  Spool spool(options_for(dir));
  EncodedEvents events = events_from(0, 50);
  ASSERT_EQ(spool.append(events, true), 50u);
  EXPECT_FALSE(spool.has_unread());
  EXPECT_EQ(spool.events(), 50u);
  EXPECT_TRUE(read_all(spool).empty());
  spool.settle(events.tag(0), 50);
  EXPECT_EQ(spool.events(), 0u);
  spool.tick();  // the write segment, all settled, is retired
  EXPECT_TRUE(segment_files(dir.file("spool")).empty());
  EXPECT_EQ(spool.bytes(), 0u);
}

TEST(Spool, ANewBacklogStartsAfterTheHandedRecords) {
  TempDir dir;
  Spool spool(options_for(dir));
  EncodedEvents handed = events_from(0, 10);
  spool.append(handed, true);
  EncodedEvents backlog = events_from(10, 10);
  spool.append(backlog, false);
  EncodedEvents more = events_from(20, 10);
  spool.append(more, false);
  EXPECT_EQ(read_all(spool), expected(10, 20));
}

TEST(Spool, WhatIsNotSettledIsSentAgainAfterARestartOldestFirst) {
  TempDir dir;
  {
    Spool spool(options_for(dir));
    EncodedEvents sent = events_from(0, 100);
    spool.append(sent, true);
    spool.settle(sent.tag(0), 100);
    spool.tick();  // retires the settled segment
    EncodedEvents waiting = events_from(100, 300);
    spool.append(waiting, false);
    spool.close();
  }
  Spool again(options_for(dir));
  EXPECT_TRUE(again.recovery().clean);
  EXPECT_EQ(again.recovery().events, 300u);
  EncodedEvents newer = events_from(1000, 5);
  again.append(newer, false);
  auto back = read_all(again);
  auto want = expected(100, 300);
  const auto tail = expected(1000, 5);
  want.insert(want.end(), tail.begin(), tail.end());
  EXPECT_EQ(back, want);
  EXPECT_GT(again.take_replayed(), 0u);
}

TEST(Spool, ReadButUnsettledEventsStayForTheNextStart) {
  TempDir dir;
  {
    Spool spool(options_for(dir));
    EncodedEvents events = events_from(0, 20);
    spool.append(events, false);
    EXPECT_EQ(read_all(spool).size(), 20u);  // handed to delivery, never acknowledged
    spool.close();
  }
  Spool again(options_for(dir));
  EXPECT_EQ(read_all(again), expected(0, 20));
}

TEST(Spool, AnUncleanEndIsReportedWithWhatItsLastSyncIntervalHeld) {
  TempDir dir;
  {
    Spool spool(options_for(dir));
    EncodedEvents events = events_from(0, 40);
    spool.append(events, false);
    spool.tick();  // syncs: the mark says 40 events in the interval
    EncodedEvents later = events_from(40, 2);
    spool.append(later, false);
    // destroyed without close(): as after SIGKILL (the data is in the page cache)
  }
  Spool again(options_for(dir));
  EXPECT_FALSE(again.recovery().clean);
  EXPECT_EQ(again.recovery().last_sync_interval_events, 40u);
  EXPECT_EQ(read_all(again), expected(0, 42));
}

TEST(Spool, AtTheByteBoundTheOldestUnreadEventsAreDroppedAndCounted) {
  TempDir dir;
  SpoolOptions options = options_for(dir);
  options.max_bytes = 256 * 1024;
  options.segment_bytes = 64 * 1024;
  Spool spool(options);
  // Incompressible events, so that the bound is reached.
  std::mt19937_64 rng(1);
  std::vector<std::string> all;
  for (int group = 0; group < 200; ++group) {
    EncodedEvents events;
    for (int i = 0; i < 10; ++i) {
      std::string json = "{\"n\":" + std::to_string(all.size()) + ",\"pad\":\"";
      for (int c = 0; c < 200; ++c) json.push_back(static_cast<char>('a' + rng() % 26));
      json += "\"}";
      all.push_back(json);
      events.append(json, EventKind::job, rng());
    }
    ASSERT_EQ(spool.append(events, false), 10u);
    ASSERT_LE(spool.bytes(), options.max_bytes);
  }
  const SpoolDrops drops = spool.take_drops();
  EXPECT_GT(drops.overflow, 0u);
  const auto back = read_all(spool);
  ASSERT_EQ(drops.overflow + back.size(), all.size()) << "every event is read back or counted as dropped";
  // The survivors are the newest, in order.
  EXPECT_EQ(back, std::vector<std::string>(all.end() - static_cast<std::ptrdiff_t>(back.size()), all.end()));
}

// Damaged files: what is intact is delivered, the damage is counted.
class SpoolDamage : public ::testing::Test {
 protected:
  // Two segments of 3 records of 10 events each, left by a clean run.
  void SetUp() override {
    SpoolOptions options = options_for(dir);
    Spool spool(options);
    for (int group = 0; group < 6; ++group) {
      EncodedEvents events = events_from(group * 10, 10);
      spool.append(events, false);
      if (group == 2) spool.tick();  // sync mark; the backlog keeps the segment open
    }
    spool.close();
    files = segment_files(options.dir);
    ASSERT_EQ(files.size(), 1u);
  }
  std::string content() const { return testing::read_file(files[0].string()); }
  static std::size_t second_record(const std::string& bytes) {
    return kSegmentHeaderBytes + kRecordHeaderBytes + parse_header(bytes.substr(kSegmentHeaderBytes))->payload_bytes;
  }
  void rewrite(const std::string& bytes) const {
    std::ofstream out(files[0], std::ios::binary | std::ios::trunc);
    out << bytes;
  }
  TempDir dir;
  std::vector<fs::path> files;
};

TEST_F(SpoolDamage, ATruncatedLastRecordIsSkippedAndCounted) {
  std::string bytes = content();
  // Cut inside the last events record: drop the closed mark and some payload.
  rewrite(bytes.substr(0, bytes.size() - kRecordHeaderBytes - 30));
  Spool spool(options_for(dir));
  EXPECT_FALSE(spool.recovery().clean);
  EXPECT_EQ(spool.recovery().damaged_records, 1u);
  EXPECT_EQ(read_all(spool), expected(0, 50));
}

TEST_F(SpoolDamage, AFlippedByteInTheMiddleCostsOnlyItsRecord) {
  std::string bytes = content();
  const std::size_t inside_second = second_record(bytes) + kRecordHeaderBytes + 10;
  bytes[inside_second] = static_cast<char>(bytes[inside_second] ^ 0x5a);
  rewrite(bytes);
  Spool spool(options_for(dir));
  EXPECT_EQ(spool.recovery().damaged_records, 1u);
  auto want = expected(0, 10);
  const auto rest = expected(20, 40);
  want.insert(want.end(), rest.begin(), rest.end());
  EXPECT_EQ(read_all(spool), want) << "only the second record's 10 events are lost";
}

TEST_F(SpoolDamage, AFlippedLengthByteIsFoundByTheNextRecordsMagic) {
  std::string bytes = content();
  const std::size_t second = second_record(bytes);
  bytes[second + 5] = static_cast<char>(bytes[second + 5] ^ 0x01);  // its payload length
  rewrite(bytes);
  Spool spool(options_for(dir));
  const auto back = read_all(spool);
  auto want = expected(0, 10);
  const auto rest = expected(20, 40);
  want.insert(want.end(), rest.begin(), rest.end());
  EXPECT_EQ(back, want);
  EXPECT_EQ(spool.recovery().damaged_records, 1u);
}

TEST_F(SpoolDamage, AZeroLengthSegmentIsRemovedAndTheOthersDelivered) {
  std::ofstream(dir.file("spool/" + segment_file_name(0))).flush();
  Spool spool(options_for(dir));
  EXPECT_EQ(spool.recovery().skipped_segments, 1u);
  EXPECT_FALSE(fs::exists(dir.file("spool/" + segment_file_name(0))));
  EXPECT_EQ(read_all(spool), expected(0, 60));
}

TEST_F(SpoolDamage, ASegmentOfAFutureVersionIsSetAsideAndTheOthersDelivered) {
  std::string future = content();
  future[12] = 9;  // version 9
  {
    std::ofstream out(dir.file("spool/" + segment_file_name(0)), std::ios::binary);
    out << future;
  }
  Spool spool(options_for(dir));
  EXPECT_EQ(spool.recovery().skipped_segments, 1u);
  EXPECT_TRUE(fs::exists(dir.file("spool/" + segment_file_name(0) + ".skipped")));
  EXPECT_NE(spool.recovery().notes.find("future_version"), std::string::npos);
  EXPECT_EQ(read_all(spool), expected(0, 60));
}

TEST(SpoolFaults, AnUnusableDirectoryDegradesAndRecoversWhenItIsFixed) {
  TempDir dir;
  SpoolOptions options = options_for(dir);
  options.dir = dir.file("not-a-dir");
  std::ofstream(options.dir) << "a file where the directory should be";
  Spool spool(options);
  EncodedEvents events = events_from(0, 5);
  EXPECT_EQ(spool.append(events, true), 0u);
  EXPECT_TRUE(spool.degraded());
  EXPECT_NE(spool.problem().find("not-a-dir"), std::string::npos) << spool.problem();
  EXPECT_EQ(events.tag(0), 0) << "not spooled";
  EXPECT_EQ(spool.take_failures(), 1u);
  fs::remove(options.dir);
  spool.tick();
  EXPECT_FALSE(spool.degraded()) << spool.problem();
  EncodedEvents later = events_from(5, 5);
  EXPECT_EQ(spool.append(later, false), 5u);
  EXPECT_EQ(read_all(spool), expected(5, 5));
}

TEST(SpoolFaults, TheDirectoryRemovedWhileRunningDegradesAtTheNextSegment) {
  TempDir dir;
  SpoolOptions options = options_for(dir);
  options.segment_bytes = 1;  // every record opens a new segment
  Spool spool(options);
  EncodedEvents first = events_from(0, 5);
  EXPECT_EQ(spool.append(first, true), 5u);
  fs::remove_all(options.dir);
  EncodedEvents second = events_from(5, 5);
  EXPECT_EQ(spool.append(second, true), 0u);
  EXPECT_TRUE(spool.degraded());
  spool.tick();  // recreates the directory
  EXPECT_FALSE(spool.degraded()) << spool.problem();
  EncodedEvents third = events_from(10, 5);
  EXPECT_EQ(spool.append(third, false), 5u);
  EXPECT_EQ(read_all(spool), expected(10, 5));
}

TEST(SpoolFaults, AWriteThatFailsMidwayLeavesNoTornRecord) {
  TempDir dir;
  SpoolOptions options = options_for(dir);
  {
    Spool spool(options);
    EncodedEvents fits = events_from(0, 10);
    ASSERT_EQ(spool.append(fits, false), 10u);
    // Files may not grow past their current size: the next write fails
    // with EFBIG, as a full disk fails with ENOSPC.
    ::signal(SIGXFSZ, SIG_IGN);
    rlimit limit{};
    ::getrlimit(RLIMIT_FSIZE, &limit);
    const rlimit saved = limit;
    limit.rlim_cur = static_cast<rlim_t>(spool.bytes() + 8);
    ::setrlimit(RLIMIT_FSIZE, &limit);
    EncodedEvents fails = events_from(10, 10);
    EXPECT_EQ(spool.append(fails, false), 0u);
    EXPECT_TRUE(spool.degraded());
    ::setrlimit(RLIMIT_FSIZE, &saved);
    EXPECT_EQ(read_all(spool), expected(0, 10));
  }
  Spool again(options);
  EXPECT_EQ(again.recovery().damaged_records, 0u) << "the failed write was cut back";
  EXPECT_EQ(read_all(again), expected(0, 10));
}

}  // namespace
}  // namespace sluice::deliver::spool
