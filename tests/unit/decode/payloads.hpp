#pragma once
// Builders of kombu envelopes (docs/celery-protocol.md §3) for tests.

#include <optional>
#include <string>

#include <nlohmann/json.hpp>
#include <zlib.h>

#include "common/base64.hpp"

namespace sluice::decode::testing {

struct EnvelopeSpec {
  std::string body;  // body bytes before body encoding
  std::string content_type = "application/json";
  std::optional<std::string> compression;
  std::string exchange = "celeryev";
  std::string routing_key = "task.multi";
  bool base64 = true;  // properties.body_encoding "base64", else absent
};

inline EnvelopeSpec envelope_of(std::string body, std::string content_type = "application/json") {
  EnvelopeSpec spec;
  spec.body = std::move(body);
  spec.content_type = std::move(content_type);
  return spec;
}

inline std::string kombu_payload(const EnvelopeSpec& spec) {
  nlohmann::json headers = {{"hostname", "w@h"}};
  if (spec.compression) headers["compression"] = *spec.compression;
  nlohmann::json properties = {
      {"delivery_mode", 1},
      {"delivery_info", {{"exchange", spec.exchange}, {"routing_key", spec.routing_key}}},
      {"priority", 0},
      {"delivery_tag", "acad5719-bb19-4452-8315-593ced31ee18"}};
  if (spec.base64) properties["body_encoding"] = "base64";
  const nlohmann::json envelope = {{"body", spec.base64 ? base64_encode(spec.body) : spec.body},
                                   {"content-encoding", "utf-8"},
                                   {"content-type", spec.content_type},
                                   {"headers", headers},
                                   {"properties", properties}};
  return envelope.dump();
}

inline std::string json_payload(const std::string& body) { return kombu_payload(envelope_of(body)); }

// A valid event map as JSON text; `extra` is spliced in (",\"k\": v").
inline std::string event_json(const std::string& type, const std::string& extra = "") {
  std::string text = R"({"hostname": "w@h", "utcoffset": 0, "pid": 7, "clock": 3, "timestamp": 1795498137.5)";
  if (type.starts_with("task-")) text += R"(, "uuid": "8736e3a2-e8f6-4a4d-8c8d-52bfbdd00778")";
  return text + extra + R"(, "type": ")" + type + "\"}";
}

// What Python's zlib.compress (kombu's "application/x-gzip") produces.
inline std::string zlib_compress(const std::string& bytes) {
  uLongf size = compressBound(static_cast<uLong>(bytes.size()));
  std::string out(size, '\0');
  compress(reinterpret_cast<Bytef*>(out.data()), &size, reinterpret_cast<const Bytef*>(bytes.data()),
           static_cast<uLong>(bytes.size()));
  out.resize(size);
  return out;
}

}  // namespace sluice::decode::testing
