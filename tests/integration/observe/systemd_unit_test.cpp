// systemd/sluiced.service: what the daemon relies on is set, and systemd's
// own checker accepts the unit (skipped where systemd-analyze is missing).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "support/child_process.hpp"
#include "support/temp_dir.hpp"
#include "support/test_paths.hpp"

namespace sluice::testing {
namespace {

std::string unit_text() { return read_file(source_path("systemd/sluiced.service")); }

bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos;
}

TEST(SystemdUnit, DeclaresNotifyWatchdogAndSandbox) {
  const std::string unit = unit_text();
  for (const char* line :
       {"Type=notify", "NotifyAccess=main", "EnvironmentFile=/etc/sluiced/sluiced.env", "Restart=on-failure",
        "DynamicUser=yes", "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes", "NoNewPrivileges=yes",
        "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX", "SystemCallFilter=@system-service",
        "CapabilityBoundingSet=", "RestartPreventExitStatus=78 64"}) {
    EXPECT_TRUE(has_line(unit, line)) << line;
  }
  const auto watchdog = unit.find("\nWatchdogSec=");
  ASSERT_NE(watchdog, std::string::npos);
  EXPECT_GT(std::atoi(unit.c_str() + watchdog + 13), 0);
}

// A copy of the unit whose ExecStart names the binary just built, since
// verify checks that the command exists.
class UnitCopy {
 public:
  UnitCopy() {
    std::string unit = unit_text();
    const std::string exec = "ExecStart=/usr/local/bin/sluiced";
    unit.replace(unit.find(exec), exec.size(), std::string("ExecStart=") + SLUICED_BINARY);
    std::ofstream(path()) << unit;
  }
  std::string path() const { return dir_.file("sluiced.service"); }

 private:
  TempDir dir_;
};

// systemd-analyze with only PATH and plain output settings.
ProcessResult analyze(const std::string& program, std::vector<std::string> args) {
  const char* path = std::getenv("PATH");
  ProcessSpec spec;
  spec.argv = std::move(args);
  spec.argv.insert(spec.argv.begin(), program);
  spec.env = {{"PATH", path ? path : "/usr/bin:/bin"}, {"SYSTEMD_COLORS", "0"}, {"SYSTEMD_PAGER", ""}};
  spec.clean_env = true;
  return ChildProcess::run_captured(spec);
}

TEST(SystemdUnit, SystemdAnalyzeVerifyAcceptsIt) {
  const std::string program = find_program("systemd-analyze");
  if (program.empty()) GTEST_SKIP() << "systemd-analyze not installed";
  UnitCopy copy;
  auto result = analyze(program, {"verify", copy.path()});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(result.output, "") << "systemd-analyze verify warns";
}

TEST(SystemdUnit, SecurityExposureStaysLow) {
  const std::string program = find_program("systemd-analyze");
  if (program.empty()) GTEST_SKIP() << "systemd-analyze not installed";
  UnitCopy copy;
  auto result = analyze(program, {"security", "--offline=true", "--no-pager", copy.path()});
  const std::string marker = "Overall exposure level for ";
  const auto at = result.output.find(marker);
  const auto colon = at == std::string::npos ? at : result.output.find(": ", at);
  if (colon == std::string::npos) GTEST_SKIP() << "exposure not computed here: " << result.output.substr(0, 300);
  const double exposure = std::strtod(result.output.c_str() + colon + 2, nullptr);
  RecordProperty("systemd_exposure", std::to_string(exposure));
  std::printf("systemd-analyze security exposure: %.1f\n", exposure);
  EXPECT_LE(exposure, 2.0) << result.output;  // "OK"; a dropped sandbox option would raise it
}

}  // namespace
}  // namespace sluice::testing
