#pragma once
// What /health and /ready say, as a value: the app gathers HealthFacts from
// the stages, assess_health() turns them into a HealthReport (pure, clock
// passed in), and the health server only renders the report.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/duration.hpp"
#include "common/warning.hpp"

namespace sluice::observe {

using HealthClock = std::chrono::steady_clock;

// The Redis master in use when the broker URL is sentinel://.
struct SentinelHealth {
  std::string master;          // "host:port"; empty until one is confirmed
  std::uint64_t failovers = 0;  // times sluiced followed the master to another node

  bool operator==(const SentinelHealth&) const = default;
};

// The on-disk spool's level, as /health shows it.
struct SpoolFill {
  std::uint64_t bytes = 0;
  std::uint64_t max_bytes = 0;
  std::uint64_t events = 0;
  bool writable = true;
  bool operator==(const SpoolFill&) const = default;
};

// Raw state read from the stages at request time.
struct HealthFacts {
  bool subscribed = false;       // PSUBSCRIBE confirmed at least once: ready
  bool redis_connected = false;  // the subscriber connection is up now
  std::optional<HealthClock::time_point> last_event_at;
  std::size_t buffer_events = 0;
  std::size_t buffer_capacity = 0;
  std::string last_delivery = "none";  // outcome of the last request: sent, retry, drop, …
  // Start of the current run of failed deliveries; empty while they succeed.
  std::optional<HealthClock::time_point> failing_since;
  int rejected_status = 0;  // 401/403/404 from the API (docs/ingest-contract.md §3); 0 = none
  std::vector<Warning> warnings;  // active diagnostics (README "Diagnostics")
  std::optional<SentinelHealth> sentinel;
  std::optional<SpoolFill> spool;  // when a spool directory is set
  std::string ha_role;            // "leader" or "standby" with SLUICE_HA; empty without
};

struct HealthReport {
  bool healthy = false;              // /health: 200, else 503
  bool ready = false;                // /ready: 200, else 503
  std::vector<std::string> reasons;  // why not healthy, one phrase each
  // Why sluiced may see less than Celery does. They explain silence; they
  // are not failures, so they never make /health unhealthy.
  std::vector<Warning> warnings;
  bool redis_connected = false;
  std::optional<double> last_event_age_seconds;  // empty before the first event
  std::size_t buffer_events = 0;
  std::size_t buffer_capacity = 0;
  std::string last_delivery = "none";
  std::optional<SentinelHealth> sentinel;  // rendered only for sentinel:// URLs
  std::optional<SpoolFill> spool;
  std::string ha_role;  // shown as "role" when set
  std::string version = SLUICE_VERSION;

  bool operator==(const HealthReport&) const = default;
};

// Unhealthy when Redis is down, when the API rejects us, or when delivery
// has been failing for at least `unhealthy_after`.
HealthReport assess_health(const HealthFacts& facts, HealthClock::time_point now, Duration unhealthy_after);

// The /health document: {"status":"ok"|"unhealthy","reasons":[…],"warnings":[{"id","message"}…],…}.
std::string render_health_json(const HealthReport& report);
// The /ready document: {"status":"ready"|"not ready"}.
std::string render_ready_json(const HealthReport& report);

}  // namespace sluice::observe
