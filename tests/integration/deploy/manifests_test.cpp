// The deployment examples, checked offline: deploy/kubernetes rendered by
// `kubectl kustomize` (skipped without kubectl) and deploy/compose parsed
// as YAML; the compose stack itself is started only where a Docker engine
// answers (skipped otherwise, as on CI).

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "config/setting_spec.hpp"
#include "support/child_process.hpp"
#include "support/wait_until.hpp"
#include "support/yaml_documents.hpp"

namespace sluice::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

const std::string kSource = SLUICE_SOURCE_DIR;

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool known_setting(const std::string& name) {
  for (const auto& spec : config::setting_table()) {
    if (spec.env == name) return true;
  }
  return false;
}

// Every label the selector asks for is on the pod template.
bool selects(const json& match_labels, const json& labels) {
  if (!match_labels.is_object() || match_labels.empty()) return false;
  for (const auto& [key, value] : match_labels.items()) {
    if (!labels.contains(key) || labels[key] != value) return false;
  }
  return true;
}

class KubernetesManifests : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string kubectl = find_program("kubectl");
    if (kubectl.empty()) GTEST_SKIP() << "kubectl not installed (Debian: kubernetes-client); manifests not rendered";
    const ProcessResult rendered =
        ChildProcess::run_captured({{kubectl, "kustomize", kSource + "/deploy/kubernetes"}, {}, "", ""}, 60s);
    ASSERT_EQ(rendered.exit_code, 0) << rendered.output;
    auto documents = parse_yaml_documents(rendered.output);
    ASSERT_TRUE(documents) << documents.error();
    for (auto& doc : *documents) objects_[doc["kind"].get<std::string>()] = doc;
  }

  const json& object(const std::string& kind) { return objects_[kind]; }

  std::map<std::string, json> objects_;
};

TEST_F(KubernetesManifests, RenderTheHaPairWithItsSecretConfigAndDisruptionBudget) {
  for (const char* kind : {"ConfigMap", "Secret", "Deployment", "PodDisruptionBudget"}) {
    EXPECT_TRUE(objects_.count(kind)) << kind;
  }
  const json& deployment = object("Deployment");
  EXPECT_EQ(deployment["spec"]["replicas"], 2);
  const json& config = object("ConfigMap")["data"];
  EXPECT_EQ(config["SLUICE_HA"], "true");
  for (const auto& [name, value] : config.items()) {
    EXPECT_TRUE(known_setting(name)) << name << " is not a sluiced setting";
    EXPECT_TRUE(value.is_string()) << name << ": ConfigMap values must be strings";
  }
  EXPECT_FALSE(config.contains("SLUICE_API_KEY")) << "the API key belongs in the Secret";
  const json& secret = object("Secret");
  ASSERT_TRUE(secret["stringData"].contains("SLUICE_API_KEY"));
  for (const auto& item : secret["stringData"].items()) EXPECT_TRUE(known_setting(item.key())) << item.key();

  const json& pod = deployment["spec"]["template"];
  EXPECT_TRUE(selects(deployment["spec"]["selector"]["matchLabels"], pod["metadata"]["labels"]));
  ASSERT_EQ(pod["spec"]["containers"].size(), 1u);
  const json& container = pod["spec"]["containers"][0];
  std::set<std::string> sources;
  for (const auto& from : container["envFrom"]) {
    if (from.contains("configMapRef")) sources.insert("ConfigMap/" + from["configMapRef"]["name"].get<std::string>());
    if (from.contains("secretRef")) sources.insert("Secret/" + from["secretRef"]["name"].get<std::string>());
  }
  EXPECT_EQ(sources, (std::set<std::string>{"ConfigMap/" + object("ConfigMap")["metadata"]["name"].get<std::string>(),
                                            "Secret/" + secret["metadata"]["name"].get<std::string>()}));
}

TEST_F(KubernetesManifests, ProbesAndScrapesUseTheHealthPort) {
  const json& pod = object("Deployment")["spec"]["template"];
  const json& container = pod["spec"]["containers"][0];
  const std::string addr = object("ConfigMap")["data"]["SLUICE_HEALTH_ADDR"];
  const std::string port = addr.substr(addr.rfind(':') + 1);
  ASSERT_EQ(container["ports"][0]["containerPort"], std::stoi(port));
  const std::string port_name = container["ports"][0]["name"];
  EXPECT_EQ(container["livenessProbe"]["httpGet"]["path"], "/health");
  EXPECT_EQ(container["livenessProbe"]["httpGet"]["port"], port_name);
  EXPECT_EQ(container["readinessProbe"]["httpGet"]["path"], "/ready");
  EXPECT_EQ(container["readinessProbe"]["httpGet"]["port"], port_name);
  const json& annotations = pod["metadata"]["annotations"];
  EXPECT_EQ(annotations["prometheus.io/scrape"], "true");
  EXPECT_EQ(annotations["prometheus.io/port"], port);
  EXPECT_EQ(annotations["prometheus.io/path"], "/metrics");
}

TEST_F(KubernetesManifests, RunsNonRootOnAReadOnlyRootWithRequestsSet) {
  const json& spec = object("Deployment")["spec"]["template"]["spec"];
  const json& container = spec["containers"][0];
  EXPECT_EQ(spec["securityContext"]["runAsNonRoot"], true);
  EXPECT_NE(spec["securityContext"]["runAsUser"], 0);
  EXPECT_EQ(container["securityContext"]["readOnlyRootFilesystem"], true);
  EXPECT_EQ(container["securityContext"]["allowPrivilegeEscalation"], false);
  EXPECT_TRUE(container["resources"]["requests"].contains("cpu"));
  EXPECT_TRUE(container["resources"]["requests"].contains("memory"));
  EXPECT_TRUE(container["resources"]["limits"].contains("memory"));
}

TEST_F(KubernetesManifests, DisruptionBudgetKeepsOneOfThePair) {
  const json& pdb = object("PodDisruptionBudget");
  EXPECT_EQ(pdb["spec"]["minAvailable"], 1);
  EXPECT_TRUE(selects(pdb["spec"]["selector"]["matchLabels"],
                      object("Deployment")["spec"]["template"]["metadata"]["labels"]));
}

json compose_file() {
  auto documents = parse_yaml_documents(read_text(kSource + "/deploy/compose/docker-compose.yml"));
  EXPECT_TRUE(documents && documents->size() == 1) << (documents ? "" : documents.error());
  return documents && !documents->empty() ? documents->front() : json::object();
}

TEST(ComposeExample, RunsRedisACeleryWorkerAndTwoSluicedAsAnHaPair) {
  const json services = compose_file()["services"];
  EXPECT_TRUE(services.contains("redis"));
  EXPECT_TRUE(services.contains("worker"));
  std::set<std::string> connections;
  int sluiced = 0;
  for (const auto& [name, service] : services.items()) {
    if (!name.starts_with("sluiced")) continue;
    ++sluiced;
    const json& env = service["environment"];
    EXPECT_EQ(env["SLUICE_HA"], "true") << name;
    for (const auto& item : env.items()) EXPECT_TRUE(known_setting(item.key())) << item.key();
    connections.insert(env["SLUICE_CONNECTION_ID"].get<std::string>());
    EXPECT_EQ(service["restart"], "unless-stopped") << name << ": a leader that lost its lease exits to restart";
  }
  EXPECT_EQ(sluiced, 2);
  EXPECT_EQ(connections.size(), 1u) << "both must serve the same connection";
}

// Starts the stack (dry-run sinks) and waits until one sluiced leads. Only
// where a Docker engine answers; building the images takes minutes.
TEST(ComposeExample, StartsWhereDockerIsAvailable) {
  const std::string docker = find_program("docker");
  if (docker.empty() || ChildProcess::run({{docker, "info"}, {}, "", ""}, 20s) != 0) {
    GTEST_SKIP() << "no Docker engine here; the compose example was checked as YAML only";
  }
  const std::string file = kSource + "/deploy/compose/docker-compose.yml";
  const std::vector<std::pair<std::string, std::string>> env = {{"SLUICE_SINK", "stdout"},
                                                                {"COMPOSE_PROJECT_NAME", "sluiced-test"}};
  ASSERT_EQ(ChildProcess::run({{docker, "compose", "-f", file, "up", "-d", "--build", "--wait"}, env, "", ""}, 900s), 0);
  const bool led = wait_until(
      [&] {
        const ProcessResult logs = ChildProcess::run_captured(
            {{docker, "compose", "-f", file, "logs", "sluiced-a", "sluiced-b"}, env, "", ""}, 30s);
        return logs.output.find("became the leader") != std::string::npos;
      },
      60s);
  ChildProcess::run({{docker, "compose", "-f", file, "down", "-v"}, env, "", ""}, 120s);
  EXPECT_TRUE(led);
}

}  // namespace
}  // namespace sluice::testing
