#include "observe/http_routes.hpp"

#include <string_view>

namespace sluice::observe {
namespace {

constexpr std::string_view kAllowed = "GET, HEAD";

Response json_response(bool ok, std::string body) {
  return {ok ? 200u : 503u, "application/json", std::move(body), "", false, false};
}

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

}  // namespace

Response error_response(unsigned status, std::string text) {
  return {status, "text/plain; charset=utf-8", std::move(text) + "\n", "", false, true};
}

Response route_request(const RequestHead& head, const Endpoints& endpoints) {
  const std::string_view path = path_of(head.target);
  if (path != "/health" && path != "/ready" && path != "/metrics") return error_response(404, "not found");
  if (head.method != "GET" && head.method != "HEAD") {
    Response r = error_response(405, "method not allowed");
    r.allow = std::string(kAllowed);
    return r;
  }
  if (head.has_body) return error_response(413, "request body not accepted");
  Response r;
  if (path == "/metrics") {
    r = {200, kMetricsContentType, endpoints.metrics_text(), "", false, false};
  } else {
    const HealthReport report = endpoints.report();
    r = path == "/health" ? json_response(report.healthy, render_health_json(report))
                          : json_response(report.ready, render_ready_json(report));
  }
  r.head_only = head.method == "HEAD";
  return r;
}

}  // namespace sluice::observe
