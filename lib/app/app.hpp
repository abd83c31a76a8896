#pragma once
// App: the daemon's stages wired together — Subscriber → Pipeline (decode,
// track) → Deliverer → Sink, with the control broadcaster, the queue depth
// poller, the health server and systemd notification beside them. All run
// on the main io_context and thread except delivery (Deliverer and Sink),
// which has a thread of its own (DeliveryThread).
// Shutdown order: stop reading Redis, flush delivery within the timeout.

#include <memory>
#include <optional>

#include "app/delivery_thread.hpp"
#include "app/diagnostic_notes.hpp"
#include "app/pipeline.hpp"
#include "app/reconciler.hpp"
#include "app/resend_ring.hpp"
#include "app/redis_masters.hpp"
#include "app/table_snapshots.hpp"
#include "common/asio.hpp"
#include "config/settings.hpp"
#include "deliver/deliverer.hpp"
#include "deliver/sink.hpp"
#include "observe/health_report.hpp"
#include "observe/health_server.hpp"
#include "observe/log.hpp"
#include "observe/metrics.hpp"
#include "observe/systemd_notifier.hpp"
#include "source/control_broadcaster.hpp"
#include "source/leader_lease.hpp"
#include "source/pubsub_limit_probe.hpp"
#include "source/queue_poller.hpp"
#include "source/subscriber.hpp"

namespace sluice::app {

class App {
 public:
  // `sink` is the HTTPS ingest sink or the stdout sink (make_sink()).
  // The sink was made on `delivery_io`, which runs on the delivery thread.
  App(const config::Settings& settings, observe::Logger& log, std::unique_ptr<deliver::Sink> sink,
      asio::io_context& io, asio::io_context& delivery_io, observe::Metrics& metrics);
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  // Starts every stage; returns false (after logging why) when the health
  // address cannot be bound.
  bool start();
  // Graceful shutdown (first SIGINT/SIGTERM): returns when delivery has
  // flushed or timed out (SLUICE_SHUTDOWN_TIMEOUT, or `flush_timeout`).
  asio::awaitable<void> shutdown();
  asio::awaitable<void> shutdown(std::chrono::milliseconds flush_timeout);
  // Called when the app must end on its own, with the exit code: an HA
  // leader whose lease another instance took over (kExitLostLease).
  void on_exit_needed(std::function<void(int)> handler) { exit_needed_ = std::move(handler); }

  observe::HealthReport health() const;

 private:
  void on_subscribed();
  void on_worker_signal(source::WorkerSignal signal, std::string_view node);
  void wire_pubsub_limit_probe();
  // HA: events go to delivery only while the lease holds; a standby keeps
  // them for the re-send at takeover. Without HA all go to delivery.
  void route(const track::IngestEvent& event);
  void on_became_leader();
  void on_lost_lease();
  void start_leader_stages();

  const config::Settings& settings_;
  observe::Logger& log_;
  asio::io_context& io_;
  observe::Metrics& metrics_;
  DiagnosticNotes diagnostics_;
  source::PubsubLimitProbe pubsub_limit_probe_;
  RedisMasters masters_;  // sentinel://: the master every Redis user follows (the lease too)
  // SLUICE_HA only. Before sink_: the gated sink reads its deadline.
  std::unique_ptr<source::LeaderLease> lease_;
  ResendRing resend_;
  std::unique_ptr<deliver::Sink> sink_;
  DeliveryThread delivery_;
  source::ControlBroadcaster broadcaster_;
  source::QueuePoller queue_poller_;
  Pipeline pipeline_;
  Reconciler reconciler_;
  TableSnapshots snapshots_;
  source::Subscriber subscriber_;
  observe::SystemdNotifier notifier_;
  std::optional<observe::HealthServer> health_server_;
  bool ready_notified_ = false;
  bool leader_stages_started_ = false;
  std::function<void(int)> exit_needed_;
  observe::Counter* resent_ = nullptr;
  observe::Counter* resend_overflow_ = nullptr;
};

// The sink the settings ask for, or why it cannot be built (e.g. an
// unreadable CA file).
Expected<std::unique_ptr<deliver::Sink>, std::string> make_sink(asio::io_context& io,
                                                                const config::Settings& settings);

}  // namespace sluice::app
