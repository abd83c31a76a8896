#pragma once
// SluicedProcess: the real sluiced binary as users run it, for tests that
// check what leaves the process (exit codes, signals, stderr, /health).
// Started with exactly the given environment (nothing of the test's own),
// its stdout and stderr go to a file, or to a FIFO the test reads and may
// close; stopped by PID.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

namespace sluice::testing {

using Env = std::vector<std::pair<std::string, std::string>>;

class SluicedProcess {
 public:
  // Output to `output` (a file, or a FIFO whose reader is open already).
  SluicedProcess(Env env, std::string output, std::vector<std::string> args = {});

  // The port of /health, from the "health endpoint listening" log line in
  // `log_text`; 0 when it is not there (yet).
  static std::uint16_t health_port_in(const std::string& log_text);

  // `sluiced ARGS` to completion with exactly `env`: exit code and output.
  static ProcessResult run(Env env, std::vector<std::string> args);

  ChildProcess& process() { return *process_; }

 private:
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace sluice::testing
