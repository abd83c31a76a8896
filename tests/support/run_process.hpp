#pragma once
// Runs a program to completion for a test and collects its exit code and
// combined stdout/stderr. The child is waited for by its PID before return.

#include <string>
#include <vector>

namespace sluice::testing {

struct ProcessResult {
  int exit_code = -1;  // -1: could not start, or killed by a signal
  std::string output;  // stdout and stderr interleaved
};

// `env` replaces the environment entirely ("NAME=value" each); PATH is
// searched for argv[0] in the parent's PATH.
ProcessResult run_process(const std::vector<std::string>& argv, const std::vector<std::string>& env);

// The full path of `program` on $PATH, or empty.
std::string find_program(const std::string& program);

}  // namespace sluice::testing
