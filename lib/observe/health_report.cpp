#include "observe/health_report.hpp"

#include <nlohmann/json.hpp>

namespace sluice::observe {
namespace {

std::string rejection_reason(int status) {
  const std::string fix = status == 401 ? "check SLUICE_API_KEY" : "check SLUICE_API_URL and SLUICE_API_KEY";
  return "Sluice API rejected the requests (HTTP " + std::to_string(status) + "): " + fix;
}

std::vector<std::string> reasons_for(const HealthFacts& facts, HealthClock::time_point now,
                                     Duration unhealthy_after) {
  std::vector<std::string> reasons;
  if (!facts.redis_connected) reasons.push_back(facts.subscribed ? "Redis connection lost" : "Redis not connected yet");
  if (facts.rejected_status != 0) reasons.push_back(rejection_reason(facts.rejected_status));
  if (facts.failing_since && now - *facts.failing_since >= unhealthy_after) {
    const auto failing = std::chrono::duration_cast<std::chrono::seconds>(now - *facts.failing_since);
    reasons.push_back("delivery failing for " + std::to_string(failing.count()) + "s (unhealthy after " +
                      format_duration(unhealthy_after) + ")");
  }
  return reasons;
}

}  // namespace

HealthReport assess_health(const HealthFacts& facts, HealthClock::time_point now, Duration unhealthy_after) {
  HealthReport report;
  report.reasons = reasons_for(facts, now, unhealthy_after);
  report.healthy = report.reasons.empty();
  report.ready = facts.subscribed;
  report.redis_connected = facts.redis_connected;
  if (facts.last_event_at) {
    report.last_event_age_seconds = std::chrono::duration<double>(now - *facts.last_event_at).count();
  }
  report.buffer_events = facts.buffer_events;
  report.buffer_capacity = facts.buffer_capacity;
  report.last_delivery = facts.last_delivery;
  report.ha_role = facts.ha_role;
  report.warnings = facts.warnings;
  report.sentinel = facts.sentinel;
  report.spool = facts.spool;
  return report;
}

std::string render_health_json(const HealthReport& report) {
  nlohmann::ordered_json doc;
  doc["status"] = report.healthy ? "ok" : "unhealthy";
  doc["reasons"] = report.reasons;
  doc["warnings"] = nlohmann::ordered_json::array();
  for (const auto& warning : report.warnings) {
    doc["warnings"].push_back({{"id", warning.id}, {"message", warning.message}});
  }
  doc["ready"] = report.ready;
  doc["redis_connected"] = report.redis_connected;
  doc["last_event_age_seconds"] =
      report.last_event_age_seconds ? nlohmann::ordered_json(*report.last_event_age_seconds) : nullptr;
  const double fill = report.buffer_capacity == 0
                          ? 0.0
                          : static_cast<double>(report.buffer_events) / static_cast<double>(report.buffer_capacity);
  doc["buffer"] = {{"events", report.buffer_events}, {"capacity", report.buffer_capacity}, {"fill", fill}};
  if (report.spool) {
    const auto& spool = *report.spool;
    const double spool_fill =
        spool.max_bytes == 0 ? 0.0 : static_cast<double>(spool.bytes) / static_cast<double>(spool.max_bytes);
    doc["spool"] = {{"bytes", spool.bytes}, {"max_bytes", spool.max_bytes}, {"fill", spool_fill},
                    {"events", spool.events}, {"writable", spool.writable}};
  }
  doc["last_delivery"] = report.last_delivery;
  if (!report.ha_role.empty()) doc["role"] = report.ha_role;
  if (report.sentinel) {
    doc["sentinel"] = {{"master", report.sentinel->master.empty() ? nlohmann::ordered_json(nullptr)
                                                                  : nlohmann::ordered_json(report.sentinel->master)},
                       {"failovers", report.sentinel->failovers}};
  }
  doc["version"] = report.version;
  return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string render_ready_json(const HealthReport& report) {
  nlohmann::ordered_json doc;
  doc["status"] = report.ready ? "ready" : "not ready";
  return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace sluice::observe
