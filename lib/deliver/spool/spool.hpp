#pragma once
// Spool: the on-disk queue between tracking and delivery (docs/spool.md).
//
// Every hand-over group is appended to the current segment file. A group
// that delivery can take at once (no backlog on disk, room in memory) is
// appended as "handed" and travels on in memory; the others are "unread"
// and read back later, oldest first, so delivery sees one FIFO and the
// order per job holds across the spool and across restarts. Delivery
// reports every event it is done with (sent, rejected, dropped) as
// "settled"; a segment whose events are all settled is deleted.
//
// At the byte bound the oldest segment goes: its unread events are
// dropped and counted. A failing disk (unwritable, full, read-only,
// removed) makes the spool "degraded": appends fail, the caller keeps
// events in memory, and the spool tries a new segment every
// retry_interval. Single-threaded: the delivery thread owns it.

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include "deliver/encoded_events.hpp"
#include "deliver/spool/segment.hpp"

namespace sluice::deliver::spool {

struct SpoolOptions {
  std::string dir;
  std::uint64_t max_bytes = 1ull << 30;
  std::chrono::milliseconds sync_interval{1000};
  // 0: max_bytes / 16, between 64 KiB and 64 MiB.
  std::uint64_t segment_bytes = 0;
  // How long a degraded spool waits before it tries the disk again.
  std::chrono::milliseconds retry_interval{5000};
};

// What the spool found at start (for the log and the metrics).
struct SpoolRecovery {
  std::uint64_t segments = 0;
  std::uint64_t events = 0;
  std::uint64_t bytes = 0;
  std::uint64_t damaged_records = 0;
  std::uint64_t skipped_segments = 0;   // empty, foreign or from a newer sluiced
  bool clean = true;                    // the previous run ended with a clean shutdown
  std::uint64_t last_sync_interval_events = 0;  // what an unclean end may have lost
  std::string notes;                    // one line per skipped segment
};

// Events dropped by the spool, by reason (counted by the caller).
struct SpoolDrops {
  std::uint64_t overflow = 0;  // the oldest segment made room at the byte bound
  std::uint64_t lost = 0;      // unread events that could not be read back (disk gone, damage found late)
};

class Spool {
 public:
  using WallClock = std::chrono::system_clock;
  static constexpr std::size_t kRecordEvents = 256;  // most events per record

  // Scans `options.dir` (created if missing). Fails only when the
  // directory cannot be used at all; the caller then runs degraded.
  explicit Spool(SpoolOptions options);
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  const SpoolRecovery& recovery() const { return recovery_; }

  // Appends `events` in records of at most kRecordEvents; `handed`:
  // delivery takes them from memory now, otherwise they are read back
  // later. Tags each event written with what delivery reports it settled
  // with (EncodedEvents::tag). Returns how many were written: fewer than
  // all when the disk failed (see degraded()).
  std::size_t append(EncodedEvents& events, bool handed);
  bool has_unread() const { return unread_events_ > 0; }
  std::uint64_t unread_events() const { return unread_events_; }
  // Reads unread records into `into` (tagged) until it holds at least
  // `want` more events or the backlog is read; returns how many it added.
  std::size_t read(EncodedEvents& into, std::size_t want);
  void settle(std::uint16_t tag, std::size_t events);

  // Periodic work: fdatasync of what was written, retiring a settled
  // write segment, and leaving the degraded state when the disk is back.
  void tick();
  // Clean shutdown: syncs, marks the last segment closed, deletes what is
  // settled. Unsettled events stay for the next start.
  void close();

  bool degraded() const { return degraded_; }
  const std::string& problem() const { return problem_; }  // why it is degraded
  std::uint64_t bytes() const { return bytes_; }
  std::uint64_t max_bytes() const { return options_.max_bytes; }
  std::uint64_t events() const;  // unread + handed but not yet settled
  std::optional<WallClock::time_point> oldest() const;  // creation of the oldest segment holding events
  SpoolDrops take_drops() { return std::exchange(drops_, {}); }
  std::uint64_t take_replayed() { return std::exchange(replayed_, 0); }
  std::uint64_t take_damaged() { return std::exchange(damaged_, 0); }
  std::uint64_t take_failures() { return std::exchange(failures_, 0); }  // times it became degraded
  std::optional<std::chrono::duration<double>> take_sync_duration() { return std::exchange(last_sync_, {}); }

 private:
  struct Segment {
    std::uint64_t seq = 0;
    std::uint64_t bytes = 0;
    std::uint64_t unread = 0;   // events in records not yet handed to delivery
    std::uint64_t handed = 0;   // handed to delivery (from memory or read back)
    std::uint64_t settled = 0;
    WallClock::time_point created{};
    bool previous_run = false;
    bool pending() const { return unread > 0 || handed > settled; }
  };
  struct Cursor {  // the next unread record
    std::uint64_t seq = 0;
    std::uint64_t offset = kSegmentHeaderBytes;
  };

  void recover();
  std::string path_of(std::uint64_t seq) const;
  static std::uint16_t tag_of(std::uint64_t seq) { return static_cast<std::uint16_t>(seq % 65535 + 1); }
  Segment* segment_by_tag(std::uint16_t tag);
  bool open_writer();
  void close_writer(bool sync);
  void fail(std::string problem);
  void make_room(std::uint64_t record_bytes);
  void drop_segment(std::size_t index);
  void retire_settled(bool keep_last = false);
  bool write(const std::string& record, std::uint32_t events, bool handed);
  void sync_writer();
  bool append_mark(RecordType type, std::uint64_t events);  // false if the write failed

  SpoolOptions options_;
  SpoolRecovery recovery_;
  std::deque<Segment> segments_;  // oldest first; the last one is written when writer_ is open
  std::optional<SegmentWriter> writer_;
  std::optional<SegmentReader> reader_;  // on cursor_.seq
  RecordBuffers buffers_;
  Cursor cursor_;
  std::uint64_t next_seq_ = 1;
  std::uint64_t bytes_ = 0;
  std::uint64_t unread_events_ = 0;
  std::uint64_t appended_since_sync_ = 0;
  bool dirty_ = false;
  bool degraded_ = false;
  std::string problem_;
  std::chrono::steady_clock::time_point retry_at_{};
  SpoolDrops drops_;
  std::uint64_t replayed_ = 0;
  std::uint64_t damaged_ = 0;
  std::uint64_t failures_ = 0;
  std::optional<std::chrono::duration<double>> last_sync_;
};

}  // namespace sluice::deliver::spool
