#include "support/sluiced_process.hpp"

#include <cstdlib>

namespace sluice::testing {

SluicedProcess::SluicedProcess(Env env, std::string output, std::vector<std::string> args) {
  ProcessSpec spec{{SLUICED_BINARY}, std::move(env), "", std::move(output), true};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  process_ = std::make_unique<ChildProcess>(spec);
}

std::uint16_t SluicedProcess::health_port_in(const std::string& log_text) {
  const auto line = log_text.find("health endpoint listening");
  if (line == std::string::npos) return 0;
  const auto at = log_text.find(" port=", line);
  if (at == std::string::npos) return 0;
  return static_cast<std::uint16_t>(std::strtoul(log_text.c_str() + at + 6, nullptr, 10));
}

ProcessResult SluicedProcess::run(Env env, std::vector<std::string> args) {
  ProcessSpec spec{{SLUICED_BINARY}, std::move(env), "", "", true};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  return ChildProcess::run_captured(spec);
}

}  // namespace sluice::testing
