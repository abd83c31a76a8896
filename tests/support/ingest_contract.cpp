#include "support/ingest_contract.hpp"

#include <cctype>
#include <map>
#include <set>

namespace sluice::testing {
namespace {

using json = Json;

const std::set<std::string> kJobStates = {"unknown", "queued",    "scheduled", "active",
                                          "completed", "failed", "retrying",  "cancelled"};
const std::set<std::string> kWorkerStates = {"online", "busy", "idle", "offline"};

struct Checker {
  json problems = json::array();
  std::string prefix;

  void add(const std::string& path, const std::string& message) {
    problems.push_back({{"path", prefix + path}, {"message", message}});
  }

  void string_field(const json& object, const std::string& key, const std::string& path, std::size_t max,
                    bool required = true) {
    if (!object.contains(key)) {
      if (required) add(path + key, "Required");
      return;
    }
    const json& v = object.at(key);
    if (!v.is_string()) add(path + key, "Expected string");
    else if (v.get_ref<const std::string&>().size() > max) add(path + key, "String too long");
  }

  void enum_field(const json& object, const std::string& key, const std::string& path,
                  const std::set<std::string>& allowed, bool required = true) {
    if (!object.contains(key)) {
      if (required) add(path + key, "Required");
      return;
    }
    const json& v = object.at(key);
    if (!v.is_string() || !allowed.contains(v.get<std::string>())) add(path + key, "Invalid enum value");
  }

  void no_nulls(const json& object, const std::string& path) {
    for (const auto& [key, value] : object.items()) {
      if (value.is_null()) add(path + key, "Expected a value, got null");
    }
  }

  void job(const json& j) {
    string_field(j, "externalId", "job.", 512);
    string_field(j, "name", "job.", 1024);
    string_field(j, "queue", "job.", 255, false);
    enum_field(j, "state", "job.", kJobStates);
    enum_field(j, "previousState", "job.", kJobStates, false);
    string_field(j, "error", "job.", 10'000, false);
    string_field(j, "stacktrace", "job.", 50'000, false);
    if (j.contains("attempt") && !(j["attempt"].is_number_integer() && j["attempt"].get<long long>() >= 1)) {
      add("job.attempt", "Expected integer >= 1");
    }
    no_nulls(j, "job.");
  }

  void worker(const json& w) {
    string_field(w, "externalId", "worker.", 512);
    enum_field(w, "state", "worker.", kWorkerStates);
    no_nulls(w, "worker.");
  }

  void queue(const json& q) {
    string_field(q, "name", "queue.", 255);
    if (!q.contains("depth") || !q["depth"].is_number_integer() || q["depth"].get<long long>() < 0) {
      add("queue.depth", "Expected integer >= 0");
    }
    no_nulls(q, "queue.");
  }
};

bool is_canonical_uuid(const std::string& s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    const char c = s[i];
    if (dash ? c != '-' : !(std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

bool is_iso_millis_utc(std::string_view t) {
  static constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd.dddZ";
  if (t.size() != kShape.size()) return false;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (kShape[i] == 'd' ? !std::isdigit(static_cast<unsigned char>(t[i])) : t[i] != kShape[i]) return false;
  }
  return true;
}

json event_problems(const json& event, std::size_t index) {
  Checker c;
  c.prefix = "events." + std::to_string(index) + ".";
  if (!event.is_object()) {
    c.add("", "Expected object");
    return c.problems;
  }
  static const std::map<std::string, std::string> kBodyOf = {
      {"job_state_change", "job"}, {"worker_state_change", "worker"}, {"queue_snapshot", "queue"}};
  const std::string type = event.value("type", json()).is_string() ? event["type"].get<std::string>() : "";
  const auto body = kBodyOf.find(type);
  if (body == kBodyOf.end()) c.add("type", "Invalid enum value");
  if (!event.contains("timestamp") || !event["timestamp"].is_string() ||
      !is_iso_millis_utc(event["timestamp"].get<std::string>())) {
    c.add("timestamp", "Expected ISO 8601 UTC with milliseconds");
  }
  if (event.value("framework", json()) != "celery") c.add("framework", "Expected \"celery\"");
  if (!event.contains("connectionId") || !event["connectionId"].is_string() ||
      !is_canonical_uuid(event["connectionId"].get<std::string>())) {
    c.add("connectionId", "Expected a lower-case UUID");
  }
  int bodies = 0;
  for (const char* key : {"job", "worker", "queue"}) bodies += event.contains(key) ? 1 : 0;
  if (bodies != 1) c.add("", "Expected exactly one of job, worker, queue");
  if (body != kBodyOf.end() && bodies == 1) {
    const json& object = event.value(body->second, json());
    if (!object.is_object()) c.add(body->second, "Expected object matching type");
    else if (body->second == "job") c.job(object);
    else if (body->second == "worker") c.worker(object);
    else c.queue(object);
  }
  c.no_nulls(event, "");
  return c.problems;
}

json body_problems(const json& body) {
  if (!body.is_object() || !body.contains("events") || !body["events"].is_array()) {
    return json::array({{{"path", "events"}, {"message", "Expected an array"}}});
  }
  json problems = json::array();
  const json& events = body["events"];
  for (std::size_t i = 0; i < events.size(); ++i) {
    for (auto& p : event_problems(events[i], i)) problems.push_back(std::move(p));
  }
  return problems;
}

}  // namespace sluice::testing
