#pragma once
// The task and worker tables as bytes, and back: saved at shutdown and
// periodically, restored at start, so that events after a restart still
// carry the name and queue of jobs that began before it, and a worker seen
// before it is neither announced again nor mis-stated (docs/spool.md,
// "What sluiced remembers across restarts"). Pure: the app reads and
// writes the file (app/table_snapshot_file.hpp) and passes the clocks.
//
// Format (little-endian): a header — magic "SLUICETB" (8), format version
// (2), flags (2: bit 0, task-sent events expected), save time in epoch ms
// (8), connection id (16), reserved (4) — then the strings the tasks use,
// the tasks whose jobs are not over, least recently used first, the
// workers, and a CRC-32 of all that. Steady-clock times are saved as ages.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/expected.hpp"
#include "track/tracker.hpp"

namespace sluice::track {

inline constexpr std::uint16_t kTableSnapshotVersion = 1;

struct SnapshotTime {
  Clock::time_point now;
  EpochMillis wall_ms = 0;
};

// `connection_id`: the canonical UUID of the Sluice connection (other text
// is saved as zeros).
std::string encode_tables(const Tracker& tracker, std::string_view connection_id, SnapshotTime time);
// The same in two steps: the encoding, which must run where the tracker
// does, and the checksum (a few ms for a full table), which may run on
// any thread.
std::string encode_tables_unsealed(const Tracker& tracker, std::string_view connection_id, SnapshotTime time);
void seal_tables(std::string& bytes);

enum class SnapshotProblem : std::uint8_t {
  corrupt,     // not a snapshot, truncated, or a checksum mismatch
  version,     // another format version
  connection,  // saved for another Sluice connection
  stale,       // older than the bound, or saved in the future
};
const char* to_string(SnapshotProblem problem);

struct SnapshotRejection {
  SnapshotProblem problem = SnapshotProblem::corrupt;
  std::string detail;  // for the log line; never secret
};

struct SnapshotRules {
  std::string_view connection_id;
  std::chrono::milliseconds max_age{std::chrono::hours(24)};
};

struct RestoredTables {
  std::size_t tasks = 0;
  std::size_t workers = 0;
  std::chrono::milliseconds age{0};  // how old the snapshot was
};

// Checks the whole snapshot first, then restores it into `tracker` (a
// fresh one: entries it already has are kept). All or nothing; emits no
// event.
Expected<RestoredTables, SnapshotRejection> restore_tables(std::string_view bytes, const SnapshotRules& rules,
                                                           SnapshotTime time, Tracker& tracker);

}  // namespace sluice::track
