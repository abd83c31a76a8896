#include "support/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "support/temp_dir.hpp"
#include "support/test_paths.hpp"

extern char** environ;

namespace sluice::testing {
namespace {

std::vector<std::string> merged_environment(const ProcessSpec& spec) {
  std::map<std::string, std::string> vars;
  for (char** e = environ; !spec.clean_env && *e; ++e) {
    std::string entry(*e);
    const auto eq = entry.find('=');
    if (eq != std::string::npos) vars[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  for (const auto& [key, value] : spec.env) vars[key] = value;
  std::vector<std::string> out;
  for (const auto& [key, value] : vars) out.push_back(key + "=" + value);
  return out;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Between fork and exec only async-signal-safe calls.
[[noreturn]] void exec_child(const char* cwd, const char* output, char** argv, char** envp, pid_t parent) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(126);  // the test already died
  setpgid(0, 0);
  const int fd = open(output, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd >= 0) {
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
  }
  const int null_in = open("/dev/null", O_RDONLY);
  if (null_in >= 0) dup2(null_in, STDIN_FILENO);
  if (cwd != nullptr && chdir(cwd) != 0) _exit(126);
  execve(argv[0], argv, envp);
  _exit(127);
}

}  // namespace

std::string find_program(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const std::string candidate = dir + "/" + program;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

ChildProcess::ChildProcess(const ProcessSpec& spec) {
  if (spec.argv.empty()) throw std::runtime_error("ChildProcess: empty argv");
  auto args = spec.argv;
  if (args[0].find('/') == std::string::npos) args[0] = find_program(args[0]);  // before fork: not signal-safe
  auto env = merged_environment(spec);
  auto argv = pointers(args);
  auto envp = pointers(env);
  const std::string output = spec.output_file.empty() ? "/dev/null" : spec.output_file;
  const pid_t parent = getpid();
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error(std::string("fork failed: ") + std::strerror(errno));
  if (pid_ == 0) exec_child(spec.cwd.empty() ? nullptr : spec.cwd.c_str(), output.c_str(), argv.data(), envp.data(), parent);
  setpgid(pid_, pid_);  // also from the parent, so kill(-pid) works at once
}

ChildProcess::~ChildProcess() { stop(); }

bool ChildProcess::running() { return !status_ && !exited(); }

// Has it ended? Without reaping: a zombie keeps its PID (and process group
// id) reserved, so kill(-pid) cannot reach a recycled id.
bool ChildProcess::exited() {
  siginfo_t info{};
  if (waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0) return true;
  return info.si_pid == pid_;
}

bool ChildProcess::await_exit(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!exited()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // polling a process, not a race
  }
  return true;
}

void ChildProcess::reap() {
  int status = -1;
  kill(-pid_, SIGKILL);  // leftovers of its group (e.g. a worker's pool processes)
  waitpid(pid_, &status, 0);
  status_ = status;
}

std::optional<int> ChildProcess::wait_for(std::chrono::milliseconds timeout) {
  if (!status_ && await_exit(timeout)) reap();
  return status_;
}

void ChildProcess::signal(int signal_number) {
  if (!status_) kill(pid_, signal_number);
}

void ChildProcess::stop(std::chrono::milliseconds grace) {
  if (pid_ <= 0 || status_) return;
  kill(pid_, SIGCONT);  // in case a test froze it
  kill(pid_, SIGTERM);
  if (!await_exit(grace)) {
    kill(-pid_, SIGKILL);
    await_exit(std::chrono::seconds(10));
  }
  reap();
}

int ChildProcess::run(const ProcessSpec& spec, std::chrono::milliseconds timeout) {
  ChildProcess child(spec);
  const auto status = child.wait_for(timeout);
  if (!status) {
    child.stop();
    return -1;
  }
  return WIFEXITED(*status) ? WEXITSTATUS(*status) : -1;
}

ProcessResult ChildProcess::run_captured(ProcessSpec spec, std::chrono::milliseconds timeout) {
  const TempDir dir;
  spec.output_file = dir.file("output");
  ProcessResult result;
  result.exit_code = run(spec, timeout);
  result.output = read_file(spec.output_file);
  return result;
}

}  // namespace sluice::testing
