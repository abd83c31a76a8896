#include "source/queue_poller.hpp"

#include "source/queue_reads.hpp"

namespace sluice::source {
namespace {

using Level = observe::Level;
using SteadyClock = std::chrono::steady_clock;

constexpr const char* kDepthMetric = "sluiced_queue_depth";
constexpr const char* kRefusedMetric = "sluiced_queues_refused_total";
constexpr const char* kRefusedHelp =
    "Queue names not tracked: too many queues (limit, see SLUICE_MAX_QUEUES) or a name over 255 bytes (too_long)";

track::EpochMillis epoch_millis_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

QueuePollerOptions QueuePollerOptions::from_settings(const config::Settings& settings) {
  QueuePollerOptions out;
  out.enabled = settings.queue_depth;
  out.connect = redis::ConnectOptions::from_settings(settings);
  out.connect.client_name = "sluiced-queues";
  out.keyprefix = settings.global_keyprefix;
  out.event_exchange = settings.event_exchange;
  out.queues = settings.queues;
  out.poll_interval = settings.queue_poll_interval;
  out.scan_interval = settings.queue_scan_interval;
  out.refresh_interval = settings.refresh_interval;
  out.max_queues = settings.max_queues;
  return out;
}

QueuePoller::QueuePoller(asio::any_io_executor executor, QueuePollerOptions options, observe::Logger& log,
                         observe::Metrics& metrics, SnapshotHandler on_snapshot)
    : executor_(executor),
      options_(std::move(options)),
      log_(log),
      metrics_(metrics),
      on_snapshot_(std::move(on_snapshot)),
      timer_(executor),
      snapshots_(options_.refresh_interval.count()),
      tracked_(options_.max_queues) {
  if (!options_.enabled) return;
  errors_ = &metrics.counter("sluiced_queue_poll_errors_total",
                             "Queue depth polls (or queue scans) that failed, wholly or for some queues");
  refused_limit_ = &metrics.counter(kRefusedMetric, kRefusedHelp, {{"reason", "limit"}});
  refused_too_long_ = &metrics.counter(kRefusedMetric, kRefusedHelp, {{"reason", "too_long"}});
  metrics.gauge_callback("sluiced_queues_tracked", "Queues whose depth is polled", {},
                         [this] { return static_cast<double>(tracked()); });
}

void QueuePoller::start() {
  if (!options_.enabled) return;
  asio::co_spawn(executor_, run(), [this](std::exception_ptr failure) {
    if (!failure) return;
    log_.log(Level::error, "queue poller failed (bug); stopping");
    std::rethrow_exception(failure);
  });
}

void QueuePoller::stop() {
  asio::dispatch(executor_, [this] {
    stopping_ = true;
    timer_.cancel();
    if (connection_) connection_->close();
  });
}

void QueuePoller::note_queue(std::string_view name) {
  if (!options_.enabled || !options_.queues.empty() || name.empty()) return;
  switch (tracked_.note(name)) {
    case NoteResult::added:
    case NoteResult::known: break;
    case NoteResult::refused_limit: refused_limit_->inc(); break;
    case NoteResult::refused_too_long: refused_too_long_->inc(); break;
  }
}

std::size_t QueuePoller::tracked() const {
  return options_.queues.empty() ? tracked_.size() : options_.queues.size();
}

asio::awaitable<void> QueuePoller::run() {
  auto next = SteadyClock::now();
  while (!stopping_) {
    co_await poll_once();
    next += options_.poll_interval;
    if (next < SteadyClock::now()) next = SteadyClock::now();  // a slow poll does not cause a burst
    timer_.expires_at(next);
    boost::system::error_code ec;
    co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

asio::awaitable<void> QueuePoller::poll_once() {
  const bool connected = co_await ensure_connected();
  if (!connected || stopping_) co_return;
  const bool scanned = co_await rescan_if_due();
  if (stopping_) co_return;
  if (!scanned) {
    note_state(scan_error_);
    co_return;
  }
  const auto queues = current_queues();
  const auto started = SteadyClock::now();
  const auto stamp = epoch_millis_now();
  auto poll = co_await read_depths(*connection_, options_.keyprefix, queues);
  if (stopping_) co_return;
  if (!poll) {
    note_state(poll.error());
    co_return;
  }
  last_poll_time_ = SteadyClock::now() - started;
  ++polls_;
  note_state(scan_error_.empty() ? poll->error : scan_error_);
  if (options_.queues.empty()) {
    for (auto& reading : poll->readings) reading.listed = tracked_.is_bound(reading.name);
  }
  const auto events = snapshots_.on_poll(poll->readings, stamp);
  publish_depths(events);
  for (const auto& event : events) on_snapshot_(event);
  forget_drained(poll->readings);
}

// One series per reported queue; it goes when the queue is forgotten.
void QueuePoller::publish_depths(const std::vector<track::IngestEvent>& snapshots) {
  for (const auto& event : snapshots) {
    const auto& snapshot = std::get<track::QueueSnapshot>(event.body);
    metrics_.gauge(kDepthMetric, "Messages waiting in a Celery queue (all priorities)", {{"queue", snapshot.name}})
        .set(static_cast<double>(snapshot.depth));
  }
  for (const auto& name : snapshots_.forgotten()) metrics_.remove(kDepthMetric, {{"queue", name}});
}

asio::awaitable<bool> QueuePoller::ensure_connected() {
  if (connection_ && connection_->is_open()) co_return true;
  connection_.emplace(executor_, options_.connect);
  redis::Connection connection = *connection_;
  auto done = co_await connection.connect();
  if (done) {
    if (on_connected_) co_await on_connected_(connection);
    co_return true;
  }
  if (!stopping_) note_state(std::string("cannot connect: ") + std::string(to_string(done.error().kind)));
  co_return false;
}

// Discovery runs on the first poll and every scan interval after; a failed
// scan keeps the queues of the last good one and is retried next poll.
asio::awaitable<bool> QueuePoller::rescan_if_due() {
  if (!options_.queues.empty()) co_return true;
  if (next_scan_ && SteadyClock::now() < *next_scan_) co_return true;
  auto bound = co_await scan_bound_queues(*connection_, options_.keyprefix, options_.event_exchange);
  if (stopping_) co_return false;
  if (!bound) {
    scan_error_ = "scan failed: " + bound.error();
    co_return next_scan_.has_value() || tracked_.has_noted();
  }
  scan_error_.clear();
  if (const auto refused = tracked_.replace_bound(std::move(*bound))) refused_limit_->inc(refused);
  next_scan_ = SteadyClock::now() + options_.scan_interval;
  co_return true;
}

std::vector<std::string> QueuePoller::current_queues() const {
  return options_.queues.empty() ? tracked_.all() : options_.queues;
}

// A queue learnt from task-sent events that is empty and has no binding is
// forgotten (its final depth-0 snapshot follows next poll).
void QueuePoller::forget_drained(const std::vector<track::QueueReading>& readings) {
  for (const auto& reading : readings) {
    if (reading.depth == 0LL) tracked_.forget_if_noted(reading.name);
  }
}

void QueuePoller::note_state(const std::string& error) {
  if (!error.empty()) errors_->inc();
  if (error == error_state_) return;
  if (error.empty()) {
    log_.log(Level::info, "queue depth polling recovered");
  } else {
    log_.log(Level::warn, "queue depth polling failed", {{"error", error}});
  }
  error_state_ = error;
}

}  // namespace sluice::source
