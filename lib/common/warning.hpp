#pragma once
// Warning: a condition that explains why sluiced sees less than Celery does
// (a diagnostic, README "Diagnostics") — a stable short id for metrics and
// scripts, and one sentence for people. Shared by the stages that detect
// such conditions (track, source) and observe, which shows them.

#include <ostream>
#include <string>

namespace sluice {

struct Warning {
  std::string id;       // e.g. "worker_clock_drift"; label value of sluiced_diagnostic_active
  std::string message;  // what is wrong and what to do; never a secret

  bool operator==(const Warning&) const = default;
};

inline std::ostream& operator<<(std::ostream& os, const Warning& w) { return os << w.id << ": " << w.message; }

}  // namespace sluice
