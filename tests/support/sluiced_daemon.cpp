#include "support/sluiced_daemon.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>

#include "support/http_probe.hpp"
#include "support/sluiced_process.hpp"
#include "support/test_paths.hpp"
#include "support/wait_until.hpp"

namespace sluice::testing {

using namespace std::chrono_literals;

SluicedDaemon::SluicedDaemon(const std::string& redis_url, const Env& more_env) {
  Env env = {{"SLUICE_SINK", "stdout"},
             {"SLUICE_CONNECTION_ID", kConnectionId},
             {"SLUICE_REDIS_URL", redis_url},
             {"SLUICE_HEALTH_ADDR", "127.0.0.1:0"},
             {"SLUICE_RECONNECT_MAX", "200ms"}};
  for (const auto& [name, value] : more_env) {  // a variable given again replaces the default
    auto it = std::find_if(env.begin(), env.end(), [&](const auto& entry) { return entry.first == name; });
    if (it != env.end()) {
      it->second = value;
    } else {
      env.emplace_back(name, value);
    }
  }
  process_ = std::make_unique<ChildProcess>(ProcessSpec{{SLUICED_BINARY}, env, "", dir_.file("sluiced.log")});
  wait_until([&] { return (port_ = SluicedProcess::health_port_in(log())) != 0; }, 20s);
}

std::string SluicedDaemon::log() const { return read_file(dir_.file("sluiced.log")); }

int SluicedDaemon::health_status() const { return http_get(port_, "/health").status; }

PromExposition SluicedDaemon::metrics() const {
  const HttpReply reply = http_get(port_, "/metrics");
  auto parsed = parse_prometheus_text(reply.body);
  return reply.status == 200 && parsed ? *parsed : PromExposition{};
}

double SluicedDaemon::total(const std::string& family) const {
  const PromExposition exposition = metrics();
  double sum = 0;
  if (const PromFamily* f = exposition.family(family)) {
    for (const auto& sample : f->samples) sum += sample.value;
  }
  return sum;
}

long SluicedDaemon::memory_kb(const std::string& field) const {
  std::ifstream in("/proc/" + std::to_string(pid()) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with(field + ":")) return std::strtol(line.c_str() + field.size() + 1, nullptr, 10);
  }
  return -1;
}

bool SluicedDaemon::reset_peak_memory() const {
  std::ofstream out("/proc/" + std::to_string(pid()) + "/clear_refs");
  out << "5";
  return static_cast<bool>(out.flush());
}

}  // namespace sluice::testing
