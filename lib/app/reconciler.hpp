#pragma once
// Reconciler: jobs whose final event never arrived get the outcome Celery
// itself recorded. Every scan period it asks the tracker for stale jobs
// (track/stale_jobs.hpp); with a Redis result backend configured it looks
// them up (source/result_backend_reader.hpp) and applies what it finds as
// job events marked extensions.source = "result_backend". Unreadable
// entries are counted by reason and skipped. Without a backend it only
// reports, as the `stale_jobs` diagnostic, that such jobs exist.

#include <array>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "app/pipeline.hpp"
#include "common/asio.hpp"
#include "common/warning.hpp"
#include "config/settings.hpp"
#include "observe/log.hpp"
#include "observe/metrics.hpp"
#include "source/result_backend_reader.hpp"

namespace sluice::app {

inline constexpr std::string_view kStaleJobs = "stale_jobs";

// What became of one lookup (label of sluiced_reconcile_lookups_total).
enum class LookupResult : std::uint8_t {
  final,       // the job reached its final state from the backend
  unfinished,  // the backend knows the task but has no outcome yet (STARTED, RETRY, custom state)
  superseded,  // the job's own event came first, or it left the task table
  missing,     // no entry: ignore_result=True, expired, or not run yet
  pickle,      // result_serializer='pickle': never unpickled
  malformed,   // not a JSON result entry
  error,       // Redis refused or failed the lookup
};
inline constexpr std::size_t kLookupResultCount = 7;
const char* to_string(LookupResult result);

class Reconciler {
 public:
  using WarningHandler = std::function<void(const std::optional<Warning>&)>;

  // `backend_master`: where a sentinel:// result backend's master is (else null).
  Reconciler(asio::any_io_executor executor, const config::Settings& settings, observe::Metrics& metrics,
             observe::Logger& log, Pipeline& pipeline, WarningHandler on_warning,
             std::shared_ptr<redis::MasterLocator> backend_master = nullptr);
  Reconciler(const Reconciler&) = delete;
  Reconciler& operator=(const Reconciler&) = delete;

  void start();
  void stop();

 private:
  void arm_scan();
  void scan();
  void on_lookups(std::vector<source::Lookup>&& lookups);
  LookupResult apply(const source::Lookup& lookup);
  void log_round();

  observe::Logger& log_;
  Pipeline& pipeline_;
  WarningHandler on_warning_;
  std::chrono::seconds after_;
  std::chrono::milliseconds period_;
  asio::steady_timer timer_;
  std::optional<source::ResultBackendReader> reader_;
  observe::Counter* reconciled_ = nullptr;
  std::array<observe::Counter*, kLookupResultCount> lookups_{};
  observe::Gauge* stale_ = nullptr;
  std::array<std::uint64_t, kLookupResultCount> round_{};  // since the last log line
  std::optional<std::chrono::steady_clock::time_point> last_quiet_log_;
  bool stopped_ = false;
};

}  // namespace sluice::app
