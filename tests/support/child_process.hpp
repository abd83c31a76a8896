#pragma once
// ChildProcess: a program a test starts (redis-server, a Celery worker,
// sluiced, systemd-analyze) and always stops by its PID: SIGTERM, then SIGKILL to its
// process group after a grace period. The child dies with the test process
// (PR_SET_PDEATHSIG), so a crashed test leaves nothing running.

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sluice::testing {

struct ProcessSpec {
  std::vector<std::string> argv;                            // argv[0]: a path, or a name looked up on $PATH
  std::vector<std::pair<std::string, std::string>> env;   // added to / overriding the test's environment
  std::string cwd;                                          // empty = the test's
  std::string output_file;                                  // stdout+stderr; empty = /dev/null
  bool clean_env = false;                                   // true: `env` is the whole environment
};

struct ProcessResult {
  int exit_code = -1;  // -1: could not start, timed out, or killed by a signal
  std::string output;  // stdout and stderr interleaved
};

class ChildProcess {
 public:
  // Throws std::runtime_error when the program cannot be started.
  explicit ChildProcess(const ProcessSpec& spec);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  // The exit status (as from waitpid) once it has ended, waiting up to `timeout`.
  std::optional<int> wait_for(std::chrono::milliseconds timeout);
  // SIGTERM, wait up to `grace`, then SIGKILL the process group. Idempotent.
  void stop(std::chrono::milliseconds grace = std::chrono::seconds(5));
  void signal(int signal_number);

  // Runs a program to completion; its exit code, or -1 on timeout/signal.
  static int run(const ProcessSpec& spec, std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // The same, also collecting what it printed (spec.output_file is not used).
  static ProcessResult run_captured(ProcessSpec spec, std::chrono::milliseconds timeout = std::chrono::seconds(30));

 private:
  bool exited();
  bool await_exit(std::chrono::milliseconds timeout);
  void reap();

  pid_t pid_ = -1;
  std::optional<int> status_;
};

// The full path of `program` on $PATH, or empty.
std::string find_program(const std::string& program);

}  // namespace sluice::testing
