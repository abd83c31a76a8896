#pragma once
// Celery events as the tests publish them: built as a worker would send
// them, wrapped in a kombu envelope and published where Celery publishes.

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "support/blocking_redis.hpp"
#include "unit/decode/payloads.hpp"

namespace sluice::testing {

inline double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// A Celery event published as Celery does: a kombu envelope on
// /0.celeryev/<routing key>, the routing key being the type with its first
// '-' made a '.' (docs/celery-protocol.md).
inline void publish_event(BlockingRedis& client, const nlohmann::json& event) {
  std::string routing_key = event["type"];
  routing_key[routing_key.find('-')] = '.';
  auto spec = decode::testing::envelope_of(event.dump());
  spec.routing_key = routing_key;
  client.publish("/0.celeryev/" + routing_key, decode::testing::kombu_payload(spec));
}

// A task event as a worker (or, for task-sent, a client) sends it, with the
// fields sluiced reads; task-sent names the queue "celery".
inline nlohmann::json task_event(const std::string& type, const std::string& uuid, const std::string& node) {
  nlohmann::json event = {{"type", type}, {"uuid", uuid},   {"hostname", node},
                          {"timestamp", now_seconds()},     {"utcoffset", 0}, {"pid", 99}, {"clock", 2}};
  if (type == "task-sent" || type == "task-received") {
    event["name"] = "fixture.add";
    event["retries"] = 0;
    event["root_id"] = uuid;
  }
  if (type == "task-sent") event["queue"] = "celery";
  return event;
}

inline nlohmann::json worker_event(const std::string& type, const std::string& node, double timestamp,
                                   long long processed) {
  return {{"type", type},        {"hostname", node},          {"timestamp", timestamp},     {"utcoffset", 0},
          {"pid", 4242},         {"clock", 1},                {"freq", 2.0},                {"active", 0},
          {"processed", processed}, {"loadavg", {0.1, 0.1, 0.1}}, {"sw_ident", "py-celery"}, {"sw_ver", "5.2.6"},
          {"sw_sys", "Linux"}};
}

}  // namespace sluice::testing
