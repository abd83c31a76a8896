#pragma once
// TaskRecord: what the task table remembers per task uuid — the context that
// later Celery events lack (docs/celery-protocol.md §6.2) — in 72 bytes:
// ids as 16 bytes, strings as StringPool ids, times as epoch milliseconds.
// What few tasks have (a parent, a root other than themselves, an ETA, an
// expiry) lives in a separate TaskExtras of 48 bytes, which the table hands
// out only to the tasks that need one.

#include <cstdint>
#include <limits>

#include "track/ingest_event.hpp"
#include "track/string_pool.hpp"
#include "track/task_ref.hpp"

namespace sluice::track {

inline constexpr EpochMillis kNoTime = std::numeric_limits<EpochMillis>::min();

// Where a task is in its life. Sluice states plus the "cycle" states that a
// new attempt or a redelivery may leave: retrying, requeued (a requeue=true
// rejection, sent as `queued`) and interrupted (a task-cancelled, sent as
// `cancelled`: see target_phase).
enum class Phase : std::uint8_t {
  none,
  queued,
  scheduled,
  active,
  retrying,
  requeued,
  interrupted,
  completed,
  failed,
  cancelled
};

JobState job_state_of(Phase phase);
// Completed, failed or cancelled: nothing changes the job any more.
bool is_terminal(Phase phase);
// The job is over as far as its events say (it gets a completedAt): the
// terminal phases, and interrupted, which only a redelivery reopens.
bool has_ended(Phase phase);

// The rarely present context of a task. Most Celery tasks have no parent,
// are their own root and run as soon as they can, so they need none of it.
// `parent` and `root` hold bytes only for the kinds uuid and pooled (see
// stores_bytes); their kinds live in the TaskRecord.
struct TaskExtras {
  UuidBytes parent{};
  UuidBytes root{};
  EpochMillis eta_ms = kNoTime;
  EpochMillis expires_ms = kNoTime;
};

struct TaskRecord {
  UuidBytes id{};
  EpochMillis created_ms = kNoTime;
  EpochMillis started_ms = kNoTime;
  StringPool::Id name = 0;
  StringPool::Id queue = 0;
  StringPool::Id worker = 0;
  StringPool::Id exchange = 0;
  StringPool::Id routing_key = 0;
  std::uint32_t lru_prev = 0;
  std::uint32_t lru_next = 0;
  std::uint32_t extras = 0;  // TaskTable's slot of the TaskExtras + 1; 0 = none
  std::uint16_t attempt = 1;
  // Steady seconds (mod 2^16) when an event for this task last arrived, or
  // when it was last looked up in the result backend (stale_jobs.hpp).
  std::uint16_t seen_s = 0;
  Phase phase = Phase::none;
  JobState sent_state = JobState::unknown;  // meaningful when `has_sent`
  RefKind id_kind : 2 = RefKind::none;
  // The kinds of parent and root stay here, so that `none` and `self` (the
  // usual root) need no TaskExtras.
  RefKind parent_kind : 2 = RefKind::none;
  RefKind root_kind : 2 = RefKind::none;
  bool has_sent : 1 = false;         // a job event went out for this task
  bool created_by_sent : 1 = false;  // created_ms comes from a task-sent
  // The attempt advanced on a task-received with higher retries before the
  // previous attempt's task-retried arrived; that task-retried is then late.
  bool jumped : 1 = false;
  // No event came for the reconcile age while the job was not final; set by
  // the stale scan, cleared by the next event.
  bool stale : 1 = false;
};

// The table holds up to Settings::task_table_size records (100 000 by
// default): every byte here is ~100 KB of the daemon's resident memory.
static_assert(sizeof(TaskRecord) <= 72, "TaskRecord grew: move rarely used fields to TaskExtras");
static_assert(sizeof(TaskExtras) <= 48, "TaskExtras grew");

}  // namespace sluice::track
