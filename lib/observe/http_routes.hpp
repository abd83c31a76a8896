#pragma once
// Request → response for the health server, without sockets: the three
// read-only paths, 404 for anything else, 405 (with Allow) for methods other
// than GET and HEAD, 413 when a request carries a body.

#include <functional>
#include <string>

#include "observe/health_report.hpp"

namespace sluice::observe {

struct RequestHead {
  std::string method;  // as sent, e.g. "GET"
  std::string target;  // origin-form, may carry a query string
  bool has_body = false;
};

struct Response {
  unsigned status = 200;
  std::string content_type;
  std::string body;
  std::string allow;       // the Allow header of a 405
  bool head_only = false;  // HEAD: the headers of `body`, not its bytes
  bool close = false;      // end the connection after this response

  bool operator==(const Response&) const = default;
};

// What the routes read; both are called on the server's thread per request.
struct Endpoints {
  std::function<HealthReport()> report;
  std::function<std::string()> metrics_text;
};

inline constexpr const char* kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

Response route_request(const RequestHead& head, const Endpoints& endpoints);

// A short plain-text error response (400, 408, 413, 431 …) that closes.
Response error_response(unsigned status, std::string text);

}  // namespace sluice::observe
