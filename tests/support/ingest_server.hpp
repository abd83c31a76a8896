#pragma once
// TestIngestServer: a local stand-in for the Sluice ingest API that tests
// control. It runs on its own thread and io_context (the code under test
// keeps its own), listens on 127.0.0.1 port 0 over TLS (or plain HTTP),
// checks the Bearer key and the event schema of the contract, records what
// it accepted, and injects faults on command. Thread-safe.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "support/test_pki.hpp"

namespace sluice::testing {

struct IngestServerOptions {
  bool tls = true;
  PemIdentity identity;  // certificate chain and key for TLS
  std::string api_key = "sk_test_0123456789";
  bool count_only = false;  // benchmarks: count events, record nothing else
};

// An answer forced onto requests, instead of the normal checks.
struct Fault {
  int status = 503;
  std::string retry_after;              // sent as Retry-After when not empty
  std::chrono::milliseconds delay{0};   // wait this long before answering
  std::string error_code;               // error.code; derived from the status when empty
  // error.message; "injected fault" when empty. "{authorization}" in it is
  // replaced by the request's Authorization header, as careless APIs echo it.
  std::string message;
  std::string body;                     // sent as is instead of the error document when not empty

  static Fault answer(int status, std::string retry_after = "",
                      std::chrono::milliseconds delay = std::chrono::milliseconds(0)) {
    return Fault{status, std::move(retry_after), delay, "", "", ""};
  }
};

// Random answers: each request is held a random time up to max_delay (so
// answers come back in random order), and fails with 503 at the given rate.
struct Chaos {
  std::chrono::milliseconds max_delay{200};
  unsigned fail_per_mille = 50;
  std::uint64_t seed = 1;
};

struct RecordedRequest {
  std::chrono::steady_clock::time_point arrived;   // request fully read
  std::chrono::steady_clock::time_point answered;  // just before the answer was written
  std::uint64_t connection = 0;                    // 1, 2, … per accepted connection
  std::string target;
  std::map<std::string, std::string> headers;      // lower-case names
  std::size_t wire_bytes = 0;                      // body as received
  std::string body;                                // gunzipped when Content-Encoding: gzip
  bool gzip_valid = false;                         // Content-Encoding: gzip and it inflated
  int status = 0;                                  // what the server answered
  std::vector<std::string> events;                 // compact JSON of each event in the body

  std::string header(const std::string& lower_name) const;
};

class TestIngestServer {
 public:
  explicit TestIngestServer(IngestServerOptions options);
  ~TestIngestServer();
  TestIngestServer(const TestIngestServer&) = delete;
  TestIngestServer& operator=(const TestIngestServer&) = delete;

  std::uint16_t port() const;
  std::string base_url() const;  // "https://127.0.0.1:<port>/api" (http:// without TLS)
  std::string api_key() const;

  // Faults. A request gets: a queued fault, else the standing fault, else
  // the normal path (delay, 413 above the size, 401, gzip, schema, marker).
  void stop_listening();    // closes the listener and every open connection
  void resume_listening();  // listens again on the same port
  void fail_next(Fault fault, std::size_t count = 1);
  void fail_all(Fault fault);
  void clear_faults();
  void set_delay(std::chrono::milliseconds delay);         // slow answers
  void set_chaos(Chaos chaos);                             // random delays and 503s
  // At most `requests` are processed at once; the excess waits (queues) for
  // a slot before its delay starts, as an overloaded API would. 0: no limit.
  void set_capacity(std::size_t requests);
  std::size_t most_concurrent() const;  // requests held at once, at most, so far
  void set_max_body_bytes(std::size_t bytes);              // 413 when the body as received is larger
  void set_invalid_marker(std::string marker);             // events containing it get a 400 with details
  void set_api_key(std::string key);
  void set_accept_status(int status);                      // default 202
  // A daily quota: a request that would take the accepted events past
  // `events` gets 429 QUOTA_EXCEEDED with this Retry-After, until lifted.
  void set_event_quota(std::size_t events, std::string retry_after);
  void lift_event_quota();

  // What happened, in arrival order (copies).
  std::vector<RecordedRequest> requests() const;
  std::vector<std::string> accepted_events() const;  // events of 2xx answers, in order
  std::size_t accepted_count() const;                // also counted in count_only mode
  std::size_t request_count() const;
  std::size_t connection_count() const;  // TCP connections accepted
  std::size_t tls_failures() const;      // handshakes that failed (e.g. the client refused our certificate)
  // Seconds since start-up → requests being held then; sampled at each arrival.
  std::vector<std::pair<double, std::size_t>> concurrency_samples() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::testing
