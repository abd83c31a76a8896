// The parts of parse_prometheus_text() that look at more than one line:
// grouping samples into families, and histogram bucket rules.
#include "support/prometheus_rules.hpp"

#include <algorithm>
#include <cmath>
#include <set>

namespace sluice::testing {
namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

struct Series {
  std::vector<std::pair<double, double>> buckets;  // (le, count) in written order
  std::optional<double> count;
  bool has_sum = false;
};

Expected<bool, std::string> add_to_series(std::map<PromLabels, Series>& by_labels, const std::string& family,
                                          const PromSample& s) {
  PromLabels rest = s.labels;
  if (ends_with(s.name, "_bucket")) {
    auto le = rest.find("le");
    if (le == rest.end()) return Unexpected(family + ": bucket without le");
    const std::string text = le->second;
    rest.erase(le);
    const double bound = text == "+Inf" ? HUGE_VAL : std::strtod(text.c_str(), nullptr);
    by_labels[rest].buckets.emplace_back(bound, s.value);
  } else if (ends_with(s.name, "_count")) {
    by_labels[rest].count = s.value;
  } else if (ends_with(s.name, "_sum")) {
    by_labels[rest].has_sum = true;
  }
  return true;
}

}  // namespace

std::string family_of(const std::map<std::string, std::string>& types, const std::string& sample_name) {
  if (types.count(sample_name)) return sample_name;
  for (std::string_view suffix : {"_bucket", "_sum", "_count"}) {
    if (!ends_with(sample_name, suffix)) continue;
    const std::string base = sample_name.substr(0, sample_name.size() - suffix.size());
    auto it = types.find(base);
    if (it == types.end()) continue;
    const std::string& type = it->second;
    if (type == "histogram" || (type == "summary" && suffix != "_bucket")) return base;
  }
  return sample_name;
}

Expected<bool, std::string> check_family(const PromFamily& f) {
  std::set<std::pair<std::string, PromLabels>> seen;
  for (const auto& s : f.samples) {
    if (!seen.emplace(s.name, s.labels).second) return Unexpected(s.name + ": the same series twice");
    if (f.type == "counter" && s.value < 0) return Unexpected(s.name + ": negative counter");
  }
  if (f.type != "histogram") return true;
  std::map<PromLabels, Series> by_labels;
  for (const auto& s : f.samples) {
    auto added = add_to_series(by_labels, f.name, s);
    if (!added) return added;
  }
  for (const auto& [labels, series] : by_labels) {
    const auto& b = series.buckets;
    if (b.empty() || !std::isinf(b.back().first)) return Unexpected(f.name + ": no +Inf bucket last");
    for (size_t i = 1; i < b.size(); ++i) {
      if (b[i].first <= b[i - 1].first) return Unexpected(f.name + ": bucket bounds not increasing");
      if (b[i].second < b[i - 1].second) return Unexpected(f.name + ": bucket counts decrease");
    }
    if (!series.count || *series.count != b.back().second) return Unexpected(f.name + ": _count != +Inf bucket");
    if (!series.has_sum) return Unexpected(f.name + ": no _sum");
  }
  return true;
}

std::vector<std::string> lint_sluiced(const PromExposition& exposition) {
  std::vector<std::string> problems;
  for (const auto& f : exposition.families) {
    if (f.name.rfind("sluiced_", 0) != 0) problems.push_back(f.name + ": missing the sluiced_ prefix");
    if (f.type == "counter" && !ends_with(f.name, "_total")) problems.push_back(f.name + ": counter without _total");
    if (f.type != "counter" && ends_with(f.name, "_total")) problems.push_back(f.name + ": _total on a " + f.type);
    if (f.help.empty()) problems.push_back(f.name + ": no help text");
    if (f.type.empty() || f.type == "untyped") problems.push_back(f.name + ": no TYPE line");
  }
  return problems;
}

}  // namespace sluice::testing
