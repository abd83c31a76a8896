#pragma once
// Payloads of the captured Celery 5.2 and 5.6 traffic
// (tests/fixtures/celery-5.2, tests/fixtures/celery-5.6), one per line,
// byte-exact.

#include <string>
#include <vector>

#include "support/test_paths.hpp"

namespace sluice::decode::testing {

inline std::vector<std::string> fixture_payloads(const std::string& scenario, const std::string& set = "celery-5.2") {
  const std::string text = sluice::testing::read_file(sluice::testing::fixture_path(set + "/" + scenario + ".jsonl"));
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

inline const std::vector<std::string>& all_scenarios() {
  static const std::vector<std::string> names = {
      "solo", "prefork", "control", "enable-rediscli", "disable-on-E", "serializer-msgpack", "serializer-yaml",
      "serializer-pickle", "channels-db3", "channels-fanout-prefix-off", "channels-fanout-patterns-off",
      "channels-custom-fanout-prefix", "channels-global-keyprefix", "channels-custom-exchanges", "tz-newyork",
      "tz-kolkata"};
  return names;
}

inline const std::vector<std::string>& celery56_scenarios() {
  static const std::vector<std::string> names = {"solo",           "prefork",
                                                 "custom-datetime", "cold-shutdown",
                                                 "hard-time-limit-acks-late", "worker-start-backlog"};
  return names;
}

}  // namespace sluice::decode::testing
