// What one hostile broker message costs the decoder: for each shape (a
// body of up to 16 MiB inflated, zlib-compressed and base64-encoded into a
// kombu envelope, as anyone who can publish on the broker can send it) the
// CPU and wall time of decode_message_into, the peak and retained resident
// memory above the baseline, and what came back.
//   build/bench/hostile_bench [inflated MiB, default 16] [shape name filter]
// The shapes are tests/support/hostile_messages.hpp's, which the hostile-input
// tests send to a running sluiced. Each shape runs in its own forked process,
// so one shape's peak is not hidden by another's; a child is killed after
// 120 s or 4 GiB.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "decode/decode_message.hpp"
#include "support/hostile_messages.hpp"
#include "thread_cpu.hpp"

namespace {

using sluice::decode::DecodeBuffers;
using sluice::decode::DecodedMessage;
using sluice::decode::DecodeLimits;
using sluice::testing::hostile_payload;
using sluice::testing::hostile_shapes;
using sluice::testing::HostileShape;

long status_kb(const char* field) {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with(field)) return std::stol(line.substr(std::string(field).size()));
  }
  return -1;
}

// Runs in the child: prints one result line.
void run_shape(const HostileShape& shape, std::size_t size) {
  const std::string payload = hostile_payload(shape, size);
  DecodedMessage out;
  DecodeBuffers buffers;
  const DecodeLimits limits;  // the defaults: 16 MiB
  std::ofstream("/proc/self/clear_refs") << "5";  // resets VmHWM to the current RSS
  const long baseline = status_kb("VmRSS:");
  const auto start = std::chrono::steady_clock::now();
  const double cpu_start = sluice::bench::thread_cpu_seconds();
  const auto error = sluice::decode::decode_message_into(payload, limits, out, buffers);
  const double cpu_ms = (sluice::bench::thread_cpu_seconds() - cpu_start) * 1e3;
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  const long peak = status_kb("VmHWM:");
  const long retained = status_kb("VmRSS:");
  std::printf("%-28s %6zu KB msg %7.1f ms CPU %7.1f ms wall  peak +%7.1f MB  retained +%7.1f MB  %zu events, %zu element errors  %s\n",
              shape.name, payload.size() >> 10, cpu_ms, ms, static_cast<double>(peak - baseline) / 1024,
              static_cast<double>(retained - baseline) / 1024, out.events.size(), out.element_errors.size(),
              error ? (std::string(to_string(error->reason)) + ": " + error->excerpt).c_str() : "ok");
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t mib = argc > 1 ? std::stoul(argv[1]) : 16;
  const std::string filter = argc > 2 ? argv[2] : "";
  const std::size_t size = mib << 20;
  std::printf("%zu MiB inflated per message; decode time on one core, RSS above the pre-decode baseline\n", mib);
  std::fflush(stdout);
  for (const HostileShape& shape : hostile_shapes()) {
    if (!filter.empty() && std::string(shape.name).find(filter) == std::string::npos) continue;
    const pid_t child = fork();
    if (child == 0) {
      alarm(120);
      const rlimit memory{std::size_t{4} << 30, std::size_t{4} << 30};
      setrlimit(RLIMIT_AS, &memory);
      try {
        run_shape(shape, size);
      } catch (const std::exception& e) {
        std::printf("%-28s failed: %s\n", shape.name, e.what());
      }
      std::fflush(stdout);
      _exit(0);
    }
    int status = 0;
    waitpid(child, &status, 0);
    if (!WIFEXITED(status)) std::printf("%-28s killed (signal %d: over 120 s or 4 GiB)\n", shape.name, WTERMSIG(status));
    std::fflush(stdout);
  }
  return 0;
}
