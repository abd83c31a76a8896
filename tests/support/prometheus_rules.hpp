#pragma once
// Internal to the test support's Prometheus parser: family lookup for a
// sample name and the whole-family checks (series unique, histogram rules).

#include <map>
#include <string>

#include "support/prometheus_text.hpp"

namespace sluice::testing {

// The family a sample belongs to: itself, or a histogram/summary whose
// name it extends with _bucket, _sum or _count.
std::string family_of(const std::map<std::string, std::string>& types, const std::string& sample_name);

// Unique series; counters non-negative; histogram buckets increasing in le,
// cumulative counts non-decreasing, +Inf last and equal to _count, _sum present.
Expected<bool, std::string> check_family(const PromFamily& family);

}  // namespace sluice::testing
