#pragma once
// YAML documents as JSON values, parsed with libyaml (the parser sluiced
// uses for yaml-serialized events), for tests that check configuration
// files: the Kubernetes manifests, the compose example. Plain scalars that
// read as integers, booleans or null get those types; quoted ones stay
// strings. Anchors and aliases are refused (the checked files use none).

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/expected.hpp"

namespace sluice::testing {

// Every document of a YAML stream, or why it could not be parsed.
Expected<std::vector<nlohmann::json>, std::string> parse_yaml_documents(const std::string& text);

}  // namespace sluice::testing
