#include "app/reconciler.hpp"

#include <algorithm>
#include <string>

#include "track/stale_jobs.hpp"

namespace sluice::app {
namespace {

using Level = observe::Level;
using SteadyClock = std::chrono::steady_clock;

// Rounds that reconcile nothing (the same tasks still missing) are logged
// this seldom.
constexpr auto kQuietLogPeriod = std::chrono::minutes(10);

// Scans run several times per reconcile age, so a job is looked up soon
// after it turns stale; a scan reads every task record (~1 ms per 100 000).
std::chrono::milliseconds scan_period(std::chrono::seconds after) {
  return std::clamp<std::chrono::milliseconds>(std::chrono::duration_cast<std::chrono::milliseconds>(after) / 4,
                                               std::chrono::milliseconds(250), std::chrono::seconds(5));
}

std::string stale_message(std::size_t stale, std::chrono::seconds after) {
  return std::to_string(stale) + " jobs are not final and have had no event for " + std::to_string(after.count()) +
         "s: their last events may have been lost (a worker's first tasks before events were on, a Redis "
         "disconnect, sluiced down). Set SLUICE_RESULT_BACKEND_URL to Celery's Redis result backend (e.g. "
         "redis://host:6379/1) and sluiced reads their outcome there";
}

}  // namespace

const char* to_string(LookupResult result) {
  switch (result) {
    case LookupResult::final: return "final";
    case LookupResult::unfinished: return "unfinished";
    case LookupResult::superseded: return "superseded";
    case LookupResult::missing: return "missing";
    case LookupResult::pickle: return "pickle";
    case LookupResult::malformed: return "malformed";
    case LookupResult::error: return "error";
  }
  return "error";
}

Reconciler::Reconciler(asio::any_io_executor executor, const config::Settings& settings, observe::Metrics& metrics,
                       observe::Logger& log, Pipeline& pipeline, WarningHandler on_warning,
                       std::shared_ptr<redis::MasterLocator> backend_master)
    : log_(log),
      pipeline_(pipeline),
      on_warning_(std::move(on_warning)),
      after_(std::chrono::duration_cast<std::chrono::seconds>(settings.reconcile_after)),
      period_(scan_period(after_)),
      timer_(executor) {
  stale_ = &metrics.gauge("sluiced_stale_jobs",
                          "Jobs not final with no event for SLUICE_RECONCILE_AFTER (at the last scan)");
  if (auto options = source::ResultReaderOptions::from_settings(settings)) {
    options->connect.master = std::move(backend_master);
    reader_.emplace(executor, std::move(*options), log, [this](std::vector<source::Lookup>&& lookups) {
      on_lookups(std::move(lookups));
    });
  }
  reconciled_ = &metrics.counter("sluiced_jobs_reconciled_total",
                                 "Jobs brought to their final state from Celery's result backend");
  for (std::size_t i = 0; i < kLookupResultCount; ++i) {
    lookups_[i] = &metrics.counter("sluiced_reconcile_lookups_total", "Result backend lookups of stale jobs, by outcome",
                                   {{"outcome", to_string(static_cast<LookupResult>(i))}});
  }
}

void Reconciler::start() {
  if (reader_) reader_->start();
  arm_scan();
}

void Reconciler::stop() {
  stopped_ = true;
  timer_.cancel();
  if (reader_) reader_->stop();
}

void Reconciler::arm_scan() {
  if (stopped_) return;
  timer_.expires_after(period_);
  timer_.async_wait([this](const boost::system::error_code& error) {
    if (error || stopped_) return;
    scan();
    arm_scan();
  });
}

void Reconciler::scan() {
  const std::size_t room = reader_ ? reader_->room(period_) : 0;
  auto found = pipeline_.scan_stale(after_, room);
  stale_->set(static_cast<double>(found.stale));
  if (reader_) {
    reader_->look_up(std::move(found.due));
    return;
  }
  on_warning_(found.stale == 0 ? std::nullopt
                               : std::optional<Warning>(Warning{std::string(kStaleJobs), stale_message(found.stale, after_)}));
}

void Reconciler::on_lookups(std::vector<source::Lookup>&& lookups) {
  for (const auto& lookup : lookups) {
    const LookupResult result = apply(lookup);
    lookups_[static_cast<std::size_t>(result)]->inc();
    ++round_[static_cast<std::size_t>(result)];
    if (result == LookupResult::final) reconciled_->inc();
  }
  if (reader_->queued() == 0) log_round();
}

LookupResult Reconciler::apply(const source::Lookup& lookup) {
  switch (lookup.outcome) {
    case source::LookupOutcome::missing: return LookupResult::missing;
    case source::LookupOutcome::pickle: return LookupResult::pickle;
    case source::LookupOutcome::malformed: return LookupResult::malformed;
    case source::LookupOutcome::error: return LookupResult::error;
    case source::LookupOutcome::found: break;
  }
  const decode::ResultMeta& meta = *lookup.meta;
  const auto kind = track::kind_of_result_status(meta.status);
  if (!kind) return LookupResult::unfinished;  // PENDING, or a custom state of update_state()
  track::BackendOutcome outcome;
  outcome.kind = *kind;
  outcome.done_ms = meta.done_ms.value_or(static_cast<track::EpochMillis>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count()));
  if (*kind == track::EventKind::task_failed || *kind == track::EventKind::task_retried) {
    outcome.exception = decode::exception_repr(meta);
  }
  switch (pipeline_.on_reconciled(lookup.task_id, outcome)) {
    case track::ReconcileResult::finished: return LookupResult::final;
    case track::ReconcileResult::advanced:
    case track::ReconcileResult::unchanged: return LookupResult::unfinished;
    case track::ReconcileResult::unknown: return LookupResult::superseded;
  }
  return LookupResult::superseded;
}

// One line per round of lookups: how many jobs were reconciled and how many
// could not be, by reason.
void Reconciler::log_round() {
  std::uint64_t total = 0;
  for (auto n : round_) total += n;
  if (total == 0) return;
  const bool quiet = round_[static_cast<std::size_t>(LookupResult::final)] == 0;
  const auto now = SteadyClock::now();
  if (quiet && last_quiet_log_ && now - *last_quiet_log_ < kQuietLogPeriod) return;
  if (quiet) last_quiet_log_ = now;
  std::vector<observe::Field> fields;
  fields.push_back({"reconciled", std::to_string(round_[static_cast<std::size_t>(LookupResult::final)])});
  for (std::size_t i = 1; i < kLookupResultCount; ++i) {
    fields.push_back({to_string(static_cast<LookupResult>(i)), std::to_string(round_[i])});
  }
  log_.log(Level::info, "stale jobs looked up in the result backend", fields);
  round_ = {};
}

}  // namespace sluice::app
