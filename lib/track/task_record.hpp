#pragma once
// TaskRecord: what the task table remembers per task uuid — the context that
// later Celery events lack (protocol/celery-events.md §6.2) — in ~120 bytes:
// ids as 16 bytes, strings as StringPool ids, times as epoch milliseconds.

#include <cstdint>
#include <limits>

#include "track/ingest_event.hpp"
#include "track/string_pool.hpp"
#include "track/task_ref.hpp"

namespace sluice::track {

inline constexpr EpochMillis kNoTime = std::numeric_limits<EpochMillis>::min();

// Where a task is in its life. Sluice states plus the two "cycle" states
// that a new attempt or a redelivery may leave: retrying and requeued (a
// requeue=true rejection, sent as `queued`).
enum class Phase : std::uint8_t { none, queued, scheduled, active, retrying, requeued, completed, failed, cancelled };

JobState job_state_of(Phase phase);
bool is_terminal(Phase phase);

struct TaskRecord {
  UuidBytes id{};
  UuidBytes parent{};
  UuidBytes root{};
  EpochMillis created_ms = kNoTime;
  EpochMillis started_ms = kNoTime;
  EpochMillis eta_ms = kNoTime;
  EpochMillis expires_ms = kNoTime;
  StringPool::Id name = 0;
  StringPool::Id queue = 0;
  StringPool::Id worker = 0;
  StringPool::Id exchange = 0;
  StringPool::Id routing_key = 0;
  std::uint32_t lru_prev = 0;
  std::uint32_t lru_next = 0;
  std::uint16_t attempt = 1;
  Phase phase = Phase::none;
  JobState sent_state = JobState::unknown;  // meaningful when `has_sent`
  RefKind id_kind : 2 = RefKind::none;
  RefKind parent_kind : 2 = RefKind::none;
  RefKind root_kind : 2 = RefKind::none;
  bool has_sent : 1 = false;         // a job event went out for this task
  bool created_by_sent : 1 = false;  // created_ms comes from a task-sent
  // The attempt advanced on a task-received with higher retries before the
  // previous attempt's task-retried arrived; that task-retried is then late.
  bool jumped : 1 = false;
};

}  // namespace sluice::track
