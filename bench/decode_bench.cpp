// Decode throughput on one core: captured Celery payloads through
// sluice::decode::decode_message, in events per second.
//   build/bench/decode_bench [fixtures dir] [seconds per run, default 1] [min passes]
// (for callgrind: `… 0 20` runs exactly 20 passes per run).
// Cases: (a) unbatched single-event messages (worker-*, task-sent, custom),
// (b) task.multi lists; each timed for >= 1 s, median of 3 runs.
#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "decode/decode_message.hpp"

namespace {

using sluice::decode::DecodeLimits;
using sluice::decode::decode_message;

struct Case {
  const char* name;
  std::vector<std::string> payloads;
  std::size_t events_per_pass = 0;
  std::size_t bytes_per_pass = 0;
};

std::vector<std::string> read_lines(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Splits the JSON event messages of `scenarios` into single-event and list cases.
void load(const std::filesystem::path& dir, Case& single, Case& multi) {
  for (const char* scenario : {"solo", "prefork", "control", "enable-rediscli"}) {
    for (std::string& payload : read_lines(dir / (std::string(scenario) + ".jsonl"))) {
      const auto decoded = decode_message(payload, DecodeLimits{});
      if (!decoded || decoded->kind != sluice::decode::MessageKind::events) continue;
      Case& target = decoded->routing_key == "task.multi" ? multi : single;
      target.events_per_pass += decoded->events.size();
      target.bytes_per_pass += payload.size();
      target.payloads.push_back(std::move(payload));
    }
  }
}

// CPU time of this thread: the rate per core stays meaningful when other
// processes share the machine (wall-clock rates are printed too).
double thread_seconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

struct Rate {
  double cpu = 0;   // events per CPU second
  double wall = 0;  // events per wall-clock second
};

// One run: whole passes over the case until at least `min_seconds` of CPU time.
Rate run_once(const Case& c, double min_seconds, int min_passes, std::size_t& sink) {
  const auto wall_start = std::chrono::steady_clock::now();
  const double start = thread_seconds();
  std::size_t events = 0;
  double elapsed = 0;
  int passes = 0;
  do {
    for (const std::string& payload : c.payloads) {
      const auto decoded = decode_message(payload, DecodeLimits{});
      events += decoded->events.size();
      sink += decoded->events.empty() ? 0 : decoded->events.back().hostname.size();
    }
    elapsed = thread_seconds() - start;
  } while (elapsed < min_seconds || ++passes < min_passes);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  return {static_cast<double>(events) / elapsed, static_cast<double>(events) / wall};
}

}  // namespace

int main(int argc, char** argv) {
  const std::filesystem::path dir =
      argc > 1 ? std::filesystem::path(argv[1])
               : std::filesystem::path(__FILE__).parent_path() / ".." / "tests" / "fixtures" / "celery-5.2";
  Case single{"single-event messages", {}};
  Case multi{"task.multi lists", {}};
  load(dir, single, multi);
  if (single.payloads.empty() || multi.payloads.empty()) {
    std::fprintf(stderr, "no fixtures under %s\n", dir.c_str());
    return 1;
  }
  const double seconds = argc > 2 ? std::stod(argv[2]) : 1.0;
  const int min_passes = argc > 3 ? std::stoi(argv[3]) : 1;
  std::size_t sink = 0;
  for (const Case* c : {&single, &multi}) {
    std::vector<Rate> rates;
    for (int run = 0; run < 3; ++run) rates.push_back(run_once(*c, seconds, min_passes, sink));
    std::ranges::sort(rates, {}, &Rate::cpu);
    const double bytes_per_event = static_cast<double>(c->bytes_per_pass) / static_cast<double>(c->events_per_pass);
    std::printf("%-22s %3zu msgs %3zu events: median %8.0f events/s per CPU second (%.0f MB/s; runs %.0f %.0f %.0f)"
                ", wall-clock %.0f events/s\n",
                c->name, c->payloads.size(), c->events_per_pass, rates[1].cpu, rates[1].cpu * bytes_per_event / 1e6,
                rates[0].cpu, rates[1].cpu, rates[2].cpu, rates[1].wall);
  }
  return sink == 42 ? 2 : 0;
}
