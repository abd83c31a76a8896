#pragma once
// WorkerTracker: the worker table keyed by node name and its liveness clock
// (docs/celery-protocol.md §4.2, §8; docs/ingest-contract.md §5–§6). Sends
// online and offline at once, busy and idle once they held (WorkerStateHold),
// and otherwise repeats a worker's state at most once per refresh interval —
// never once per heartbeat.

#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "decode/celery_event.hpp"
#include "track/event_kind.hpp"
#include "track/ingest_event.hpp"
#include "track/saved_tables.hpp"
#include "track/worker_state_hold.hpp"

namespace sluice::track {

using Clock = std::chrono::steady_clock;

struct WorkerCounts {
  std::size_t online = 0;
  std::size_t busy = 0;
  std::size_t idle = 0;
  std::size_t offline = 0;

  bool operator==(const WorkerCounts&) const = default;
};

struct WorkerOptions {
  std::chrono::milliseconds offline_timeout{6000};
  std::chrono::milliseconds refresh_interval{300'000};
  std::size_t max_workers = 5000;
  WorkerStateRules state_rules;
};

class WorkerTracker {
 public:
  explicit WorkerTracker(WorkerOptions options) : options_(options) {}

  // worker-online / worker-heartbeat / worker-offline (others are ignored).
  void on_worker_event(const decode::CeleryEvent& event, EventKind kind, Clock::time_point now,
                       std::vector<IngestEvent>& out);
  // A task event from `node` (not task-sent, whose sender is a client): a
  // sign of life that also makes an unknown worker known.
  void on_task_activity(std::string_view node, double timestamp, Clock::time_point now, std::vector<IngestEvent>& out);
  // Workers silent for longer than their timeout go offline.
  void on_tick(Clock::time_point now, std::vector<IngestEvent>& out);

  // Never later than the earliest moment a live worker may fall silent; may
  // be earlier (a worker heard from since), and on_tick() then just finds
  // the exact one. O(1): the pipeline asks after every message.
  std::optional<Clock::time_point> next_deadline() const { return earliest_; }
  WorkerCounts counts() const;
  std::optional<Worker> view(std::string_view node) const;

  // The table for a snapshot at `now`: offline workers first, then the
  // others, each least recently heard from first (the order restore() needs).
  std::vector<SavedWorker> saved(Clock::time_point now) const;
  // A worker of a previous run's snapshot, back as it was; emits nothing. A
  // live one gets a whole offline timeout from `now` to show a sign of life,
  // as a restart is no silence of the worker. A worker already known is kept.
  void restore(const SavedWorker& saved, Clock::time_point now);
  std::uint64_t evictions() const { return evictions_; }
  // worker_state_change events that repeated an unchanged state.
  std::uint64_t refreshes() const { return refreshes_; }
  // busy/idle changes of heartbeats never sent, thanks to the hold.
  std::uint64_t coalesced_changes() const { return coalesced_changes_; }

 private:
  // Recency order for eviction, offline workers apart: the keys of workers_.
  using Order = std::list<std::string_view>;

  struct Record {
    Worker worker;
    Order::iterator order;
    std::optional<double> freq;      // heartbeat interval of full events
    Clock::time_point last_seen{};   // receive time of the last sign of life
    EpochMillis last_sender_ms = 0;  // the sender's clock at that moment
    std::optional<Clock::time_point> last_sent;
    WorkerStateHold hold;
    bool known_state = false;  // a state was ever set
    bool closed = false;       // worker-offline received
  };

  Record& find_or_insert(std::string_view node, Clock::time_point now);
  void evict_one();
  void touch(Record& record);          // heard from now: last in its recency list
  void note_deadline(const Record& record);
  bool live(const Record& record) const { return record.known_state && record.worker.state != WorkerState::offline; }
  void merge_fields(Record& record, const decode::CeleryEvent& event, bool full);
  void set_state(Record& record, WorkerState state, EpochMillis ts, Clock::time_point now,
                 std::vector<IngestEvent>& out);
  Clock::duration timeout_of(const Record& record) const;

  // Heterogeneous lookup: finding a node name needs no std::string.
  struct NodeHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view node) const { return std::hash<std::string_view>{}(node); }
  };

  WorkerOptions options_;
  std::unordered_map<std::string, Record, NodeHash, std::equal_to<>> workers_;
  Order live_order_;     // least recently heard from first
  Order offline_order_;  // first gone first
  std::optional<Clock::time_point> earliest_;  // a lower bound of live deadlines; none: no live worker
  std::uint64_t evictions_ = 0;
  std::uint64_t refreshes_ = 0;
  std::uint64_t coalesced_changes_ = 0;
};

}  // namespace sluice::track
