#include "track/table_snapshot.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "track/snapshot_bytes.hpp"

namespace sluice::track {
namespace {

constexpr std::string_view kMagic = "SLUICETB";
constexpr std::size_t kHeaderBytes = 8 + 2 + 2 + 8 + 16 + 4;
constexpr std::uint16_t kSentExpected = 1;
// A clock set back after the save: a little is normal (NTP), more is a
// snapshot that cannot be dated.
constexpr std::chrono::minutes kClockSlack{5};

// Task flags.
constexpr std::uint8_t kHasSent = 1;
constexpr std::uint8_t kCreatedBySent = 2;
constexpr std::uint8_t kJumped = 4;
constexpr std::uint8_t kStale = 8;
constexpr std::uint8_t kHasEta = 16;
constexpr std::uint8_t kHasExpires = 32;

// Worker flags: which optional fields follow.
enum WorkerField : std::uint16_t {
  kKnownState = 1 << 0,
  kClosed = 1 << 1,
  kPid = 1 << 2,
  kActive = 1 << 3,
  kProcessed = 1 << 4,
  kLastHeartbeat = 1 << 5,
  kFreq = 1 << 6,
  kInterval = 1 << 7,
  kSentAgo = 1 << 8,
  kChangeSentAgo = 1 << 9,
  kSoftware = 1 << 10,
  kSystem = 1 << 11,
  kLoadavg = 1 << 12,
};

std::uint32_t checksum(std::string_view bytes) {
  return static_cast<std::uint32_t>(
      crc32_z(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(bytes.data()), bytes.size()));
}

UuidBytes connection_bytes(std::string_view connection_id) {
  return parse_canonical_uuid(connection_id).value_or(UuidBytes{});
}

// ---- encoding ----

// The pool's strings renumbered 1..n in id order; a task's ids map through it.
class StringIndex {
 public:
  StringIndex(const StringPool& pool, SnapshotWriter& out) : index_(pool.id_bound(), 0) {
    out.u32(static_cast<std::uint32_t>(pool.size()));
    std::uint32_t next = 0;
    pool.for_each([&](StringPool::Id id, std::string_view text) {
      index_[id] = ++next;
      out.text(text);
    });
  }
  std::uint32_t operator()(StringPool::Id id) const { return id == 0 ? 0 : index_[id]; }

 private:
  std::vector<std::uint32_t> index_;
};

void put_ref(SnapshotWriter& out, RefKind kind, const UuidBytes& bytes, const StringIndex& strings) {
  if (kind == RefKind::uuid) out.bytes(bytes.data(), bytes.size());
  if (kind == RefKind::pooled) out.u32(strings(pooled_id(bytes)));
}

void put_task(SnapshotWriter& out, const TaskTable& table, const TaskRecord& record, const StringIndex& strings,
              std::uint16_t now_s) {
  const TaskExtras& extras = table.extras(record);
  out.u8(static_cast<std::uint8_t>(record.id_kind));
  put_ref(out, record.id_kind, record.id, strings);
  for (StringPool::Id id : {record.name, record.queue, record.worker, record.exchange, record.routing_key}) {
    out.u32(strings(id));
  }
  out.i64(record.created_ms);
  out.i64(record.started_ms);
  out.u16(record.attempt);
  out.u16(static_cast<std::uint16_t>(now_s - record.seen_s));
  out.u8(static_cast<std::uint8_t>(record.phase));
  out.u8(static_cast<std::uint8_t>(record.sent_state));
  out.u8(static_cast<std::uint8_t>((record.has_sent ? kHasSent : 0) | (record.created_by_sent ? kCreatedBySent : 0) |
                                   (record.jumped ? kJumped : 0) | (record.stale ? kStale : 0) |
                                   (extras.eta_ms != kNoTime ? kHasEta : 0) |
                                   (extras.expires_ms != kNoTime ? kHasExpires : 0)));
  out.u8(static_cast<std::uint8_t>(record.parent_kind));
  put_ref(out, record.parent_kind, extras.parent, strings);
  out.u8(static_cast<std::uint8_t>(record.root_kind));
  put_ref(out, record.root_kind, extras.root, strings);
  if (extras.eta_ms != kNoTime) out.i64(extras.eta_ms);
  if (extras.expires_ms != kNoTime) out.i64(extras.expires_ms);
}

void put_worker(SnapshotWriter& out, const SavedWorker& saved) {
  const Worker& w = saved.worker;
  const auto flag = [](bool on, WorkerField field) { return on ? static_cast<std::uint16_t>(field) : 0; };
  out.text(w.external_id);
  out.u8(static_cast<std::uint8_t>(w.state));
  out.u8(static_cast<std::uint8_t>(saved.reported));
  out.u8(static_cast<std::uint8_t>(saved.reading));
  out.i64(saved.reading_for.count());
  out.u16(static_cast<std::uint16_t>(
      flag(saved.known_state, kKnownState) | flag(saved.closed, kClosed) | flag(w.pid.has_value(), kPid) |
      flag(w.active_jobs.has_value(), kActive) | flag(w.processed_total.has_value(), kProcessed) |
      flag(w.last_heartbeat.has_value(), kLastHeartbeat) | flag(saved.freq.has_value(), kFreq) |
      flag(w.metadata.heartbeat_interval.has_value(), kInterval) | flag(saved.sent_ago.has_value(), kSentAgo) |
      flag(saved.change_sent_ago.has_value(), kChangeSentAgo) | flag(w.metadata.software.has_value(), kSoftware) |
      flag(w.metadata.system.has_value(), kSystem) | flag(w.metadata.loadavg.has_value(), kLoadavg)));
  out.i64(saved.last_sender_ms);
  if (w.pid) out.i64(*w.pid);
  if (w.active_jobs) out.i64(*w.active_jobs);
  if (w.processed_total) out.i64(*w.processed_total);
  if (w.last_heartbeat) out.i64(*w.last_heartbeat);
  if (saved.freq) out.f64(*saved.freq);
  if (w.metadata.heartbeat_interval) out.f64(*w.metadata.heartbeat_interval);
  if (saved.sent_ago) out.i64(saved.sent_ago->count());
  if (saved.change_sent_ago) out.i64(saved.change_sent_ago->count());
  if (w.metadata.software) out.text(*w.metadata.software);
  if (w.metadata.system) out.text(*w.metadata.system);
  if (w.metadata.loadavg) {
    const std::size_t n = std::min<std::size_t>(w.metadata.loadavg->size(), 255);
    out.u8(static_cast<std::uint8_t>(n));
    for (std::size_t i = 0; i < n; ++i) out.f64((*w.metadata.loadavg)[i]);
  }
}

// ---- decoding ----

std::uint16_t steady_seconds(Clock::time_point now) {
  return static_cast<std::uint16_t>(std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
}

bool valid_phase(std::uint8_t v) { return v <= static_cast<std::uint8_t>(Phase::cancelled); }
bool valid_job_state(std::uint8_t v) { return v <= static_cast<std::uint8_t>(JobState::cancelled); }
bool valid_worker_state(std::uint8_t v) { return v <= static_cast<std::uint8_t>(WorkerState::offline); }
bool valid_ref(std::uint8_t v) { return v <= static_cast<std::uint8_t>(RefKind::self); }

class SnapshotDecoder {
 public:
  SnapshotDecoder(std::string_view body, std::chrono::milliseconds elapsed) : in_(body), elapsed_(elapsed) {}

  // Reads everything; restores into `tracker` when given (a dry run checks).
  bool run(Tracker* tracker, Clock::time_point now, RestoredTables& counts) {
    read_strings();
    const std::uint32_t tasks = in_.u32();
    for (std::uint32_t i = 0; i < tasks && !in_.failed(); ++i) {
      SavedTask task;
      read_task(task);
      if (tracker != nullptr && !in_.failed()) tracker->restore(task, now);
    }
    const std::uint32_t workers = in_.u32();
    for (std::uint32_t i = 0; i < workers && !in_.failed(); ++i) {
      SavedWorker worker;
      read_worker(worker);
      if (tracker != nullptr && !in_.failed()) tracker->restore(worker, now);
    }
    counts.tasks = tasks;
    counts.workers = workers;
    return !in_.failed() && in_.at_end();
  }

 private:
  void read_strings() {
    const std::uint32_t count = in_.u32();
    for (std::uint32_t i = 0; i < count && !in_.failed(); ++i) strings_.push_back(in_.text());
  }
  std::optional<std::string_view> string(std::uint32_t index) {
    if (index == 0) return std::nullopt;
    if (index > strings_.size()) {
      in_.fail();
      return std::nullopt;
    }
    return strings_[index - 1];
  }

  // uuid and pooled references as text; `uuid_text` keeps a formatted uuid alive.
  std::string_view read_ref(RefKind kind, std::string& uuid_text) {
    if (kind == RefKind::uuid) {
      UuidBytes bytes{};
      const std::string_view raw = in_.bytes(bytes.size());
      std::copy(raw.begin(), raw.end(), bytes.begin());
      uuid_text.clear();
      append_uuid(uuid_text, bytes);
      return uuid_text;
    }
    if (kind == RefKind::pooled) {
      const auto text = string(in_.u32());
      if (!text) in_.fail();
      return text.value_or(std::string_view{});
    }
    return {};
  }

  RefKind read_kind() {
    const std::uint8_t kind = in_.u8();
    if (!valid_ref(kind)) in_.fail();
    return static_cast<RefKind>(kind);
  }

  void read_task(SavedTask& task) {
    const RefKind id_kind = read_kind();
    if (id_kind != RefKind::uuid && id_kind != RefKind::pooled) return in_.fail();
    task.id = read_ref(id_kind, id_text_);
    task.name = string(in_.u32());
    task.queue = string(in_.u32());
    task.worker = string(in_.u32());
    task.exchange = string(in_.u32());
    task.routing_key = string(in_.u32());
    task.created_ms = in_.i64();
    task.started_ms = in_.i64();
    task.attempt = in_.u16();
    const auto idle = std::chrono::seconds(in_.u16()) + std::chrono::duration_cast<std::chrono::seconds>(elapsed_);
    task.idle_s = static_cast<std::uint16_t>(std::min<std::int64_t>(idle.count(), 0xFFFF));
    const std::uint8_t phase = in_.u8();
    const std::uint8_t sent_state = in_.u8();
    const std::uint8_t flags = in_.u8();
    if (!valid_phase(phase) || !valid_job_state(sent_state) || task.attempt == 0) return in_.fail();
    task.phase = static_cast<Phase>(phase);
    task.sent_state = static_cast<JobState>(sent_state);
    task.has_sent = (flags & kHasSent) != 0;
    task.created_by_sent = (flags & kCreatedBySent) != 0;
    task.jumped = (flags & kJumped) != 0;
    task.stale = (flags & kStale) != 0;
    task.parent.kind = read_kind();
    task.parent.text = read_ref(task.parent.kind, parent_text_);
    task.root.kind = read_kind();
    task.root.text = read_ref(task.root.kind, root_text_);
    if (flags & kHasEta) task.eta_ms = in_.i64();
    if (flags & kHasExpires) task.expires_ms = in_.i64();
  }

  void read_worker(SavedWorker& saved) {
    Worker& w = saved.worker;
    w.external_id = w.hostname = std::string(in_.text());
    const std::uint8_t state = in_.u8();
    const std::uint8_t reported = in_.u8();
    const std::uint8_t reading = in_.u8();
    // The hold counts only heartbeats seen: none came while sluiced was down.
    saved.reading_for = std::chrono::milliseconds(in_.i64());
    const std::uint16_t flags = in_.u16();
    if (!valid_worker_state(state) || !valid_worker_state(reported) || !valid_worker_state(reading) ||
        w.external_id.empty()) {
      return in_.fail();
    }
    w.state = static_cast<WorkerState>(state);
    saved.reported = static_cast<WorkerState>(reported);
    saved.reading = static_cast<WorkerState>(reading);
    saved.known_state = (flags & kKnownState) != 0;
    saved.closed = (flags & kClosed) != 0;
    // Times on the worker's clock move on with the time sluiced was down.
    saved.last_sender_ms = in_.i64() + elapsed_.count();
    if (flags & kPid) w.pid = in_.i64();
    if (flags & kActive) w.active_jobs = in_.i64();
    if (flags & kProcessed) w.processed_total = in_.i64();
    if (flags & kLastHeartbeat) w.last_heartbeat = in_.i64();
    if (flags & kFreq) saved.freq = in_.f64();
    if (flags & kInterval) w.metadata.heartbeat_interval = in_.f64();
    if (flags & kSentAgo) saved.sent_ago = std::chrono::milliseconds(in_.i64()) + elapsed_;
    if (flags & kChangeSentAgo) saved.change_sent_ago = std::chrono::milliseconds(in_.i64()) + elapsed_;
    if (flags & kSoftware) w.metadata.software = std::string(in_.text());
    if (flags & kSystem) w.metadata.system = std::string(in_.text());
    if (flags & kLoadavg) {
      auto& loadavg = w.metadata.loadavg.emplace(in_.u8());
      for (double& value : loadavg) value = in_.f64();
    }
  }

  SnapshotReader in_;
  std::chrono::milliseconds elapsed_;
  std::vector<std::string_view> strings_;
  std::string id_text_;
  std::string parent_text_;
  std::string root_text_;
};

Unexpected<SnapshotRejection> reject(SnapshotProblem problem, std::string detail) {
  return Unexpected(SnapshotRejection{problem, std::move(detail)});
}

}  // namespace

const char* to_string(SnapshotProblem problem) {
  switch (problem) {
    case SnapshotProblem::corrupt: return "corrupt";
    case SnapshotProblem::version: return "version";
    case SnapshotProblem::connection: return "connection";
    case SnapshotProblem::stale: return "stale";
  }
  return "corrupt";
}

std::string encode_tables(const Tracker& tracker, std::string_view connection_id, SnapshotTime time) {
  std::string bytes = encode_tables_unsealed(tracker, connection_id, time);
  seal_tables(bytes);
  return bytes;
}

void seal_tables(std::string& bytes) {
  std::string checksum_bytes;
  SnapshotWriter out(checksum_bytes);
  out.u32(checksum(bytes));
  out.finish();
  bytes += checksum_bytes;
}

std::string encode_tables_unsealed(const Tracker& tracker, std::string_view connection_id, SnapshotTime time) {
  const TaskTable& table = tracker.jobs().table();
  std::string bytes;
  // 62 bytes per task without extras, but tasks that are over (usually
  // most) are not saved: start small, the buffer doubles as needed.
  SnapshotWriter out(bytes, std::min<std::size_t>(kHeaderBytes + 4096 + table.size() * 64, 256 * 1024));
  out.bytes(kMagic.data(), kMagic.size());
  out.u16(kTableSnapshotVersion);
  out.u16(tracker.task_sent_expected() ? kSentExpected : 0);
  out.i64(time.wall_ms);
  const UuidBytes connection = connection_bytes(connection_id);
  out.bytes(connection.data(), connection.size());
  out.u32(0);
  const StringIndex strings(table.strings(), out);
  const std::size_t task_count = out.u32_placeholder();
  std::uint32_t tasks = 0;
  const std::uint16_t now_s = steady_seconds(time.now);
  // Jobs that are over are left out: nothing changes them any more, and a
  // full table of them would cost the reading thread a long stall.
  table.for_each_oldest_first([&](const TaskRecord& record) {
    if (is_terminal(record.phase)) return;
    put_task(out, table, record, strings, now_s);
    ++tasks;
  });
  out.patch_u32(task_count, tasks);
  const std::vector<SavedWorker> workers = tracker.saved_workers(time.now);
  out.u32(static_cast<std::uint32_t>(workers.size()));
  for (const SavedWorker& worker : workers) put_worker(out, worker);
  out.finish();
  return bytes;
}

Expected<RestoredTables, SnapshotRejection> restore_tables(std::string_view bytes, const SnapshotRules& rules,
                                                           SnapshotTime time, Tracker& tracker) {
  if (bytes.size() < kHeaderBytes + 4 || bytes.substr(0, kMagic.size()) != kMagic) {
    return reject(SnapshotProblem::corrupt, "not a table snapshot, or truncated");
  }
  SnapshotReader header(bytes.substr(kMagic.size(), kHeaderBytes - kMagic.size()));
  const std::uint16_t version = header.u16();
  const std::uint16_t flags = header.u16();
  const EpochMillis saved_ms = header.i64();
  const std::string_view connection = header.bytes(16);
  if (version != kTableSnapshotVersion) {
    return reject(SnapshotProblem::version, "format version " + std::to_string(version) + ", this sluiced reads " +
                                                std::to_string(kTableSnapshotVersion));
  }
  const std::string_view covered = bytes.substr(0, bytes.size() - 4);
  if (SnapshotReader(bytes.substr(covered.size())).u32() != checksum(covered)) {
    return reject(SnapshotProblem::corrupt, "checksum mismatch (truncated or damaged)");
  }
  const UuidBytes expected = connection_bytes(rules.connection_id);
  if (connection.size() != expected.size() || std::memcmp(connection.data(), expected.data(), expected.size()) != 0) {
    return reject(SnapshotProblem::connection, "saved for another connection id");
  }
  const auto age = std::chrono::milliseconds(time.wall_ms - saved_ms);
  if (age > rules.max_age || age < -kClockSlack) {
    return reject(SnapshotProblem::stale, "saved " + std::to_string(age.count() / 1000) + " s ago, the bound is " +
                                              std::to_string(rules.max_age.count() / 1000) + " s");
  }
  RestoredTables restored;
  restored.age = age;
  const std::string_view body = covered.substr(kHeaderBytes);
  const auto elapsed = std::max(age, std::chrono::milliseconds(0));
  if (!SnapshotDecoder(body, elapsed).run(nullptr, time.now, restored)) {
    return reject(SnapshotProblem::corrupt, "its content does not parse");
  }
  SnapshotDecoder(body, elapsed).run(&tracker, time.now, restored);
  tracker.restore_task_sent_expected((flags & kSentExpected) != 0);
  return restored;
}

}  // namespace sluice::track
