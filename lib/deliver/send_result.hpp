#pragma once
// SendResult: what one attempt to deliver a batch produced — an HTTP status
// with the parts of the answer the retry policy reads, or a transport
// failure. A value, so the policy stays pure (docs/ingest-contract.md §2).

#include <ostream>
#include <string>

namespace sluice::deliver {

// {"error": {"code", "message", "details"?}} of an error answer [doc].
struct ApiError {
  std::string code;
  std::string message;
  std::string details;  // compact JSON text, bounded; empty when absent

  bool operator==(const ApiError&) const = default;
};

struct SendResult {
  int status = 0;            // HTTP status; 0 when no answer came (see failure)
  std::string retry_after;   // raw Retry-After header, if any
  ApiError error;            // parsed from an error body when it has that shape
  std::string failure;       // transport problem (connect, TLS, timeout) when status == 0

  bool answered() const { return status != 0; }
  bool operator==(const SendResult&) const = default;

  static SendResult answer(int status) { return SendResult{status, {}, {}, {}}; }
  static SendResult transport_failure(std::string what) { return SendResult{0, {}, {}, std::move(what)}; }
};

// "HTTP 503 INTERNAL: boom" or the transport failure; no body, no key.
std::string describe(const SendResult& result);

inline std::ostream& operator<<(std::ostream& os, const SendResult& r) { return os << describe(r); }

}  // namespace sluice::deliver
