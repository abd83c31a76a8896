#pragma once
// QueuePoller: on its own Redis connection (never the pub/sub one), finds
// the Celery queues (binding sets, queues seen in task-sent events, or the
// explicit SLUICE_QUEUES list), reads their depths every poll interval in
// one round trip and hands `queue_snapshot` events to a callback.
// Failures are logged once per change of state and counted; they never
// touch event processing.
//
// Queue names come from outside (anyone who can publish a task-sent event
// names one), so what is tracked is bounded (TrackedQueues); what does not
// fit is refused and counted (sluiced_queues_refused_total{reason}), and a
// forgotten queue's depth series is dropped, so /metrics stays bounded too.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/asio.hpp"
#include "common/duration.hpp"
#include "config/settings.hpp"
#include "observe/log.hpp"
#include "observe/metrics.hpp"
#include "redis/connect_options.hpp"
#include "redis/connection.hpp"
#include "source/tracked_queues.hpp"
#include "track/ingest_event.hpp"
#include "track/queue_snapshots.hpp"

namespace sluice::source {

struct QueuePollerOptions {
  bool enabled = true;
  redis::ConnectOptions connect;
  std::string keyprefix;                 // global_keyprefix
  std::string event_exchange = "celeryev";
  std::vector<std::string> queues;       // explicit list: no discovery
  Duration poll_interval{10'000};
  Duration scan_interval{60'000};
  Duration refresh_interval{30'000};
  std::size_t max_queues = 1000;         // discovered and noted queues together

  static QueuePollerOptions from_settings(const config::Settings& settings);
};

class QueuePoller {
 public:
  using SnapshotHandler = std::function<void(const track::IngestEvent&)>;

  QueuePoller(asio::any_io_executor executor, QueuePollerOptions options, observe::Logger& log,
              observe::Metrics& metrics, SnapshotHandler on_snapshot);
  QueuePoller(const QueuePoller&) = delete;
  QueuePoller& operator=(const QueuePoller&) = delete;

  // Starts the loop (no-op when disabled). Call once.
  void start();
  // Ends the loop; no snapshot is handed out afterwards. Keep the object
  // alive until the io_context has run out of work.
  void stop();
  // A queue named by a task-sent event: reported even with no consumer,
  // once it holds messages. Refused (and counted) when too long or when
  // max_queues are tracked already.
  void note_queue(std::string_view name);
  // Runs on each new connection before it is used; set before start().
  void on_connected(redis::ConnectedHook hook) { on_connected_ = std::move(hook); }

  std::uint64_t polls() const { return polls_; }
  // Queues polled now (discovered and noted, or the explicit list).
  std::size_t tracked() const;
  std::chrono::steady_clock::duration last_poll_time() const { return last_poll_time_; }

 private:
  asio::awaitable<void> run();
  asio::awaitable<void> poll_once();
  asio::awaitable<bool> ensure_connected();
  asio::awaitable<bool> rescan_if_due();
  std::vector<std::string> current_queues() const;
  void forget_drained(const std::vector<track::QueueReading>& readings);
  void publish_depths(const std::vector<track::IngestEvent>& snapshots);
  void note_state(const std::string& error);

  asio::any_io_executor executor_;
  QueuePollerOptions options_;
  observe::Logger& log_;
  observe::Metrics& metrics_;
  SnapshotHandler on_snapshot_;
  redis::ConnectedHook on_connected_;
  asio::steady_timer timer_;
  std::optional<redis::Connection> connection_;
  track::QueueSnapshots snapshots_;
  TrackedQueues tracked_;  // bound by the last successful scan, and noted
  std::optional<std::chrono::steady_clock::time_point> next_scan_;
  std::string error_state_;       // "" while polls succeed
  std::string scan_error_;        // why the last scan failed; "" after a good one
  observe::Counter* errors_ = nullptr;
  observe::Counter* refused_limit_ = nullptr;
  observe::Counter* refused_too_long_ = nullptr;
  std::uint64_t polls_ = 0;
  std::chrono::steady_clock::duration last_poll_time_{};
  bool stopping_ = false;
};

}  // namespace sluice::source
