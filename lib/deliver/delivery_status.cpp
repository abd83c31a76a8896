#include "deliver/delivery_status.hpp"

namespace sluice::deliver {

const char* to_string(Condition condition) {
  switch (condition) {
    case Condition::idle: return "idle";
    case Condition::ok: return "ok";
    case Condition::failing: return "failing";
    case Condition::unauthorized: return "unauthorized";
    case Condition::rate_limited: return "rate_limited";
  }
  return "idle";
}

bool delivery_healthy(const DeliveryStatus& status, DeliveryStatus::WallTime now,
                      std::chrono::milliseconds unhealthy_after) {
  if (status.unauthorized()) return false;
  return !status.failing_since || now - *status.failing_since < unhealthy_after;
}

}  // namespace sluice::deliver
