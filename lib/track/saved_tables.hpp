#pragma once
// SavedTask, SavedWorker: one entry of the task or worker table as a
// snapshot of a previous run gives it back (table_snapshot.hpp), in the
// words of the tables rather than of their storage. Restoring one puts the
// entry back as it was, so the events that follow are mapped as if sluiced
// had never stopped; restoring emits nothing.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include "track/ingest_event.hpp"
#include "track/task_record.hpp"
#include "track/task_ref.hpp"

namespace sluice::track {

// A parent or root id: `text` holds the id for the kinds uuid and pooled.
struct SavedRef {
  RefKind kind = RefKind::none;
  std::string_view text;
};

// Views into the snapshot's bytes: valid while restoring.
struct SavedTask {
  std::string_view id;
  std::optional<std::string_view> name;
  std::optional<std::string_view> queue;
  std::optional<std::string_view> worker;
  std::optional<std::string_view> exchange;  // "" is Celery's default exchange, not "none"
  std::optional<std::string_view> routing_key;
  SavedRef parent;
  SavedRef root;
  EpochMillis created_ms = kNoTime;
  EpochMillis started_ms = kNoTime;
  EpochMillis eta_ms = kNoTime;
  EpochMillis expires_ms = kNoTime;
  std::uint16_t attempt = 1;
  // Seconds since the task's last event, the time sluiced was down included
  // (a job silent for the reconcile age is looked up in the result backend).
  std::uint16_t idle_s = 0;
  Phase phase = Phase::none;
  JobState sent_state = JobState::unknown;
  bool has_sent = false;
  bool created_by_sent = false;
  bool jumped = false;
  bool stale = false;
};

struct SavedWorker {
  Worker worker;  // external_id is the node name
  std::optional<double> freq;
  EpochMillis last_sender_ms = 0;
  // How long before `now` its last event went out (the refresh interval),
  // and its last busy/idle report (the hold's minimum interval).
  std::optional<std::chrono::milliseconds> sent_ago;
  std::optional<std::chrono::milliseconds> change_sent_ago;
  WorkerState reported = WorkerState::online;  // what the API was told last
  // What its heartbeats say, and for how long (a busy/idle change on hold).
  WorkerState reading = WorkerState::online;
  std::chrono::milliseconds reading_for{0};
  bool known_state = false;
  bool closed = false;  // worker-offline received
};

}  // namespace sluice::track
