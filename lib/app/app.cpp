#include "app/app.hpp"

#include <iostream>
#include <random>

#include "app/cli.hpp"
#include "app/instance_id.hpp"
#include "app/lease_gated_sink.hpp"
#include "deliver/ingest_sink.hpp"
#include "deliver/stdout_sink.hpp"
#include "common/host_port.hpp"
#include "config/listen_addr.hpp"
#include "observe/process_metrics.hpp"
#include "source/pubsub_limit.hpp"

namespace sluice::app {
namespace {

std::uint64_t fresh_seed() { return std::random_device{}(); }

std::optional<deliver::spool::SpoolOptions> spool_options(const config::Settings& settings) {
  if (settings.spool_dir.empty()) return std::nullopt;
  return deliver::spool::SpoolOptions{settings.spool_dir, settings.spool_max_bytes, settings.spool_sync_interval};
}

const std::vector<std::string_view> kStreamIds(track::kStreamDiagnosticIds.begin(), track::kStreamDiagnosticIds.end());

std::vector<std::string_view> all_diagnostic_ids() {
  std::vector<std::string_view> ids = kStreamIds;
  ids.push_back(source::kPubsubBufferLimitLow);
  ids.push_back(kStaleJobs);
  return ids;
}

// "HTTP 403" → 403; the status the API refused the configuration with.
int refused_status(const deliver::DeliveryStatus& status) {
  if (!status.unauthorized()) return 0;
  const std::string& outcome = status.last_outcome;
  if (outcome.rfind("HTTP ", 0) == 0) {
    try {
      return std::stoi(outcome.substr(5, 3));
    } catch (...) {
    }
  }
  return 401;
}

// The lease key lives on the broker's master: with sentinel:// it follows
// the master as every other connection does.
std::unique_ptr<source::LeaderLease> make_lease(asio::io_context& io, const config::Settings& settings,
                                                const RedisMasters& masters, observe::Logger& log,
                                                observe::Metrics& metrics, source::LeaderLease::Handlers handlers) {
  if (!settings.ha) return nullptr;
  return std::make_unique<source::LeaderLease>(
      io.get_executor(),
      following(masters.broker(), source::LeaseOptions::from_settings(settings, make_instance_id(fresh_seed()))), log,
      metrics, std::move(handlers));
}

std::unique_ptr<deliver::Sink> gate_sink(std::unique_ptr<deliver::Sink> sink, const source::LeaderLease* lease) {
  if (!lease) return sink;
  return std::make_unique<LeaseGatedSink>(std::move(sink), lease->deadline());
}

}  // namespace

Expected<std::unique_ptr<deliver::Sink>, std::string> make_sink(asio::io_context& io,
                                                                const config::Settings& settings) {
  if (settings.sink == config::Sink::stdout_lines) {
    return std::unique_ptr<deliver::Sink>(std::make_unique<deliver::StdoutSink>(std::cout));
  }
  auto sink = deliver::IngestSink::create(io.get_executor(), settings);
  if (!sink) return Unexpected(sink.error());
  return std::unique_ptr<deliver::Sink>(std::move(*sink));
}

App::App(const config::Settings& settings, observe::Logger& log, std::unique_ptr<deliver::Sink> sink,
         asio::io_context& io, asio::io_context& delivery_io, observe::Metrics& metrics)
    : settings_(settings),
      log_(log),
      io_(io),
      metrics_(metrics),
      diagnostics_(metrics, log, all_diagnostic_ids()),
      pubsub_limit_probe_(log, [this](const std::optional<Warning>& warning) {
        diagnostics_.update(source::kPubsubBufferLimitLow, warning);
      }),
      masters_(io.get_executor(), settings, log, metrics),
      lease_(make_lease(io, settings, masters_, log, metrics,
                        {[this] { on_became_leader(); }, [this] { on_lost_lease(); }})),
      // The events of the last lease, and the batch the old leader may have
      // held for one more flush interval.
      resend_(settings.ha_lease + settings.flush_interval, settings.ha_resend_max_events,
              settings.ha_resend_max_bytes),
      sink_(gate_sink(std::move(sink), lease_.get())),
      delivery_(delivery_io, io.get_executor(), deliver::DeliveryOptions::from(settings), *sink_, metrics, log,
                fresh_seed(), settings.connection_id, spool_options(settings)),
      broadcaster_(io.get_executor(), following(masters_.broker(), source::BroadcastOptions::from_settings(settings)),
                   log, metrics,
                   fresh_seed()),
      queue_poller_(io.get_executor(), following(masters_.broker(), source::QueuePollerOptions::from_settings(settings)),
                    log, metrics,
                    [this](const track::IngestEvent& snapshot) { pipeline_.emit(snapshot); }),
      pipeline_(io.get_executor(), settings, metrics, log,
                PipelineOutputs{[this](const track::IngestEvent& event) { route(event); },
                                [this](source::WorkerSignal signal, std::string_view node) {
                                  on_worker_signal(signal, node);
                                },
                                [this](const std::string& queue) { queue_poller_.note_queue(queue); },
                                [this](const std::vector<Warning>& active) { diagnostics_.update(kStreamIds, active); }}),
      reconciler_(io.get_executor(), settings, metrics, log, pipeline_,
                  [this](const std::optional<Warning>& warning) { diagnostics_.update(kStaleJobs, warning); },
                  masters_.result_backend()),
      snapshots_(io.get_executor(), settings, metrics, log, pipeline_.tracker()),
      subscriber_(io.get_executor(), following(masters_.broker(), source::SubscriberOptions::from_settings(settings)),
                  log, metrics,
                  [this](source::RedisMessage&& message) { pipeline_.on_message(std::move(message)); },
                  fresh_seed()),
      notifier_(observe::NotifyEnvironment::from_process()) {
  observe::register_process_metrics(metrics_);
  subscriber_.on_subscribed([this] { on_subscribed(); });
  broadcaster_.on_enable_events_published([this] { pipeline_.on_enable_events_published(); });
  broadcaster_.on_worker_reached([this](const std::string& node) { pipeline_.on_worker_reached(node); });
  wire_pubsub_limit_probe();
  if (lease_) {
    resent_ = &metrics.counter("sluiced_ha_resent_events_total",
                               "Events re-sent at takeover (the old leader may not have delivered them)");
    resend_overflow_ = &metrics.counter(
        "sluiced_ha_resend_overflow_total",
        "Events a standby could not keep for the re-send at takeover (SLUICE_HA_RESEND_MAX_EVENTS/BYTES)");
  }
}

void App::route(const track::IngestEvent& event) {
  if (!lease_) return delivery_.push(event);
  const auto now = std::chrono::steady_clock::now();
  if (lease_->holds(now)) return delivery_.push(event);
  if (const auto pushed_out = resend_.keep(event, {settings_.connection_id}, now)) resend_overflow_->inc(pushed_out);
}

// The old leader may have died with events it had not delivered: the
// recent ones go first, so each job's events keep their order.
void App::on_became_leader() {
  const auto resent = resend_.replay(std::chrono::steady_clock::now(),
                                     [this](std::string_view json, deliver::EventKind kind, deliver::EventKey key) {
                                       delivery_.push(json, kind, key);
                                     });
  resent_->inc(resent);
  log_.log(observe::Level::info, "re-sent the events of the last lease", {{"events", std::to_string(resent)}});
  start_leader_stages();
}

// Another instance leads now. Nothing is sent any more (the lease deadline
// gates delivery); the stages that write or poll cannot be restarted, so
// the process ends and its supervisor starts it again, as a standby.
void App::on_lost_lease() {
  log_.log(observe::Level::error, "another instance took over the leader lease; exiting to restart as a standby",
           {{"exit_code", std::to_string(kExitLostLease)}});
  if (exit_needed_) exit_needed_(kExitLostLease);
}

// Broadcasting, queue polling and reconciliation lookups are the leader's.
void App::start_leader_stages() {
  if (leader_stages_started_) return;
  leader_stages_started_ = true;
  reconciler_.start();
  broadcaster_.start();
  queue_poller_.start();
  if (subscriber_.state().subscribed) broadcaster_.on_subscribed();
}

// The probe needs a connection that is not subscribed: the queue poller's,
// or the control broadcaster's when queue depth is off. With both off
// sluiced holds only the subscription, and the limit is not checked.
void App::wire_pubsub_limit_probe() {
  auto probe = [this](redis::Connection connection) { return pubsub_limit_probe_.check(std::move(connection)); };
  if (settings_.queue_depth) {
    queue_poller_.on_connected(probe);
  } else if (settings_.enable_events) {
    broadcaster_.on_connected(probe);
  }
}

bool App::start() {
  auto addr = config::parse_listen_addr(settings_.health_addr);
  if (!addr) {
    log_.log(observe::Level::error, "invalid health address", {{"error", addr.error()}});
    return false;
  }
  if (*addr) {
    health_server_.emplace(io_, metrics_, [this] { return health(); });
    auto port = health_server_->start(**addr);
    if (!port) {
      log_.log(observe::Level::error, "cannot listen for /health and /metrics",
               {{"addr", settings_.health_addr}, {"error", port.error()},
                {"fix", "choose a free SLUICE_HEALTH_ADDR, or set it to off"}});
      return false;
    }
    log_.log(observe::Level::info, "health endpoint listening",
             {{"addr", settings_.health_addr}, {"port", std::to_string(*port)}});
  }
  delivery_.start();
  snapshots_.restore();
  snapshots_.start();
  pipeline_.start();
  masters_.start();
  if (lease_) {
    lease_->start();
  } else {
    start_leader_stages();
  }
  subscriber_.start();
  notifier_.start_watchdog(io_.get_executor());
  return true;
}

void App::on_worker_signal(source::WorkerSignal signal, std::string_view node) {
  switch (signal) {
    case source::WorkerSignal::appeared: broadcaster_.on_worker_appeared(node); break;
    case source::WorkerSignal::has_events: broadcaster_.on_worker_has_events(node); break;
    case source::WorkerSignal::left: broadcaster_.on_worker_left(node); break;
    case source::WorkerSignal::none: break;
  }
}

void App::on_subscribed() {
  if (leader_stages_started_) broadcaster_.on_subscribed();
  if (!ready_notified_) {
    ready_notified_ = true;
    notifier_.ready("subscribed to Celery events");
  }
}

asio::awaitable<void> App::shutdown() { co_await shutdown(settings_.shutdown_timeout); }

asio::awaitable<void> App::shutdown(std::chrono::milliseconds flush_timeout) {
  notifier_.stopping("flushing buffered events");
  subscriber_.stop();
  masters_.stop();
  broadcaster_.stop();
  queue_poller_.stop();
  reconciler_.stop();
  pipeline_.stop();
  snapshots_.save_and_stop();
  const std::size_t dropped = co_await delivery_.flush(flush_timeout);
  if (lease_) {
    // Renewed during the flush; given up after it, so a standby takes over now.
    lease_->stop();
    co_await lease_->release();
  }
  log_.log(observe::Level::info, "stopped", {{"undelivered_events", std::to_string(dropped)}});
  if (health_server_) health_server_->stop();
}

observe::HealthReport App::health() const {
  observe::HealthFacts facts;
  const auto source = subscriber_.state();
  facts.subscribed = source.ever_subscribed;
  facts.redis_connected = source.subscribed;
  facts.last_event_at = pipeline_.last_event_at();
  const deliver::DeliveryStatus delivery = delivery_.status();
  facts.buffer_events = delivery.buffered_events;
  facts.buffer_capacity = settings_.buffer_max_events;
  facts.last_delivery = delivery.last_outcome.empty() ? deliver::to_string(delivery.condition) : delivery.last_outcome;
  // A standby's delivery only ever waits for the lease (what an earlier
  // leadership left in its spool): not a failure to report, nor to restart for.
  const bool standby = lease_ && lease_->role() != source::LeaseRole::leader;
  if (delivery.failing_since && !standby) {
    // DeliveryStatus keeps wall time; the health clock is steady.
    const auto age = std::chrono::system_clock::now() - *delivery.failing_since;
    facts.failing_since = observe::HealthClock::now() -
                          std::chrono::duration_cast<observe::HealthClock::duration>(age);
  }
  facts.rejected_status = refused_status(delivery);
  facts.warnings = diagnostics_.active();
  if (const auto master = masters_.broker()) {
    const auto status = master->status();
    facts.sentinel = observe::SentinelHealth{
        status.master ? host_and_port(status.master->host, status.master->port) : std::string(), status.failovers};
  }
  if (const auto spool = delivery_.spool_status()) {
    facts.spool = observe::SpoolFill{spool->bytes, spool->max_bytes, spool->events, !spool->degraded};
    if (spool->degraded) {
      facts.warnings.push_back(Warning{"spool_unavailable", "the spool directory cannot be written (" +
                                                                spool->problem +
                                                                "): events wait in memory and a restart loses them"});
    }
  }
  if (lease_) facts.ha_role = source::to_string(lease_->role());
  return observe::assess_health(facts, observe::HealthClock::now(), settings_.unhealthy_after);
}

}  // namespace sluice::app
