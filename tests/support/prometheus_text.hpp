#pragma once
// A strict parser of the Prometheus text exposition format 0.0.4 for tests:
// checks HELP/TYPE lines, metric and label names, label escaping, values,
// family grouping and histogram buckets, so /metrics output can be asserted
// on as data. lint_sluiced() adds the project's naming rules.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/expected.hpp"

namespace sluice::testing {

using PromLabels = std::map<std::string, std::string>;

struct PromSample {
  std::string name;  // as written, e.g. x_bucket for a histogram x
  PromLabels labels;
  double value = 0;
};

struct PromFamily {
  std::string name;
  std::string help;
  std::string type;  // counter, gauge, histogram, summary, untyped
  std::vector<PromSample> samples;
};

struct PromExposition {
  std::vector<PromFamily> families;

  const PromFamily* family(std::string_view name) const;
  // The value of the sample with exactly this name and these labels.
  std::optional<double> value(std::string_view sample_name, const PromLabels& labels = {}) const;
};

// The first problem found, with its line number, or the parsed families.
Expected<PromExposition, std::string> parse_prometheus_text(std::string_view text);

// sluiced's conventions: sluiced_ prefix, counters end in _total, every
// family has help text. Returns one line per problem.
std::vector<std::string> lint_sluiced(const PromExposition& exposition);

}  // namespace sluice::testing
