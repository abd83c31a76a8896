#pragma once
// Where tests find the project's files, set by tests/CMakeLists.txt.

#include <fstream>
#include <sstream>
#include <string>

namespace sluice::testing {

inline std::string source_path(const std::string& relative) { return std::string(SLUICE_SOURCE_DIR) + "/" + relative; }
inline std::string fixture_path(const std::string& name) { return std::string(SLUICE_FIXTURES_DIR) + "/" + name; }

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace sluice::testing
