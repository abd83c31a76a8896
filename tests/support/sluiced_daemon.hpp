#pragma once
// SluicedDaemon: the real sluiced binary, run by a test against a Redis URL
// with the dry-run sink (its stdout goes to its log file) and /health on a
// free loopback port, stopped by PID when the test ends. It reads the
// daemon's /metrics and its resident memory as a user's tools would.

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "support/child_process.hpp"
#include "support/prometheus_text.hpp"
#include "support/temp_dir.hpp"

namespace sluice::testing {

class SluicedDaemon {
 public:
  using Env = std::vector<std::pair<std::string, std::string>>;
  static constexpr const char* kConnectionId = "0b7e3f0c-4d7a-4f55-9a43-5c2e1f6d8a90";  // SLUICE_CONNECTION_ID

  // Starts the binary; started() says whether it told which port /health has.
  // `more_env` adds variables, or replaces the defaults (e.g. SLUICE_SINK).
  SluicedDaemon(const std::string& redis_url, const Env& more_env = {});

  bool started() const { return port_ != 0; }
  std::uint16_t health_port() const { return port_; }
  pid_t pid() const { return process_->pid(); }
  ChildProcess& process() { return *process_; }  // to signal it, stop it, wait for its exit
  std::string log() const;

  int health_status() const;
  PromExposition metrics() const;  // parsed; empty when /metrics did not answer
  double total(const std::string& family) const;  // the sum over every series of a family

  // A field of /proc/<pid>/status in kB ("VmRSS", "VmHWM"), -1 when unreadable.
  long memory_kb(const std::string& field) const;
  // Resets VmHWM to the current resident size (/proc/<pid>/clear_refs).
  bool reset_peak_memory() const;

 private:
  TempDir dir_;
  std::unique_ptr<ChildProcess> process_;
  std::uint16_t port_ = 0;
};

}  // namespace sluice::testing
