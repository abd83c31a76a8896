#pragma once
// DeliveryStatus: what /health reports about delivery — the condition, the
// last outcome, when it last worked, since when it fails — as a value.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

namespace sluice::deliver {

enum class Condition {
  idle,          // nothing sent yet
  ok,            // the last attempt was answered and handled
  failing,       // 5xx, timeouts, connection or TLS problems: retrying with backoff
  unauthorized,  // 401/403/404: configuration problem, sending stopped, retry every 60 s
  rate_limited,  // 429: waiting for Retry-After
};

const char* to_string(Condition condition);

struct DeliveryStatus {
  using WallTime = std::chrono::system_clock::time_point;

  Condition condition = Condition::idle;
  std::string last_outcome;             // "HTTP 202", "connect …: Connection refused", …
  std::optional<WallTime> last_success;
  std::optional<WallTime> failing_since;  // set while failing or unauthorized
  std::string problem;                  // a sentence for operators; empty when fine
  std::size_t buffered_events = 0;      // waiting or in flight

  bool unauthorized() const { return condition == Condition::unauthorized; }
};

// Unhealthy when the API refuses the configuration, or when delivery has
// been failing for at least `unhealthy_after`. A 429 is not unhealthy: a
// restart would not help, and the status says why nothing is sent.
bool delivery_healthy(const DeliveryStatus& status, DeliveryStatus::WallTime now,
                      std::chrono::milliseconds unhealthy_after);

}  // namespace sluice::deliver
