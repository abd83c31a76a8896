#pragma once
// IngestLedger: the test ingest server's rules and records, without any
// networking — decides the answer to each request (faults, size, key, gzip,
// schema) and remembers what was asked and accepted. Thread-safe.

#include <chrono>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "support/ingest_server.hpp"

namespace sluice::testing {

struct Answer {
  int status = 202;
  std::string body;
  std::string retry_after;
  std::chrono::milliseconds delay{0};
};

class IngestLedger {
 public:
  IngestLedger(std::string api_key, bool count_only);

  // Decides the answer to `request` (target, headers, body as received,
  // arrival and connection filled in) and records it; returns its index.
  Answer handle(RecordedRequest request, std::size_t& index);
  // Stamps request `index` as answered at `when` (no-op in count-only mode).
  // The server calls it just before writing the answer, so `when` is never
  // later than anything the client does after reading it.
  void answered(std::size_t index, std::chrono::steady_clock::time_point when);
  void count_connection();
  void count_tls_failure();

  // Rules.
  void fail_next(Fault fault, std::size_t count);
  void fail_all(Fault fault);
  void clear_faults();
  void set_delay(std::chrono::milliseconds delay);
  void set_chaos(Chaos chaos);
  void set_max_body_bytes(std::size_t bytes);
  void set_invalid_marker(std::string marker);
  void set_api_key(std::string key);
  void set_accept_status(int status);
  void set_event_quota(std::size_t events, std::string retry_after);
  void lift_event_quota();
  std::string api_key() const;

  // Records.
  std::vector<RecordedRequest> requests() const;
  std::vector<std::string> accepted_events() const;
  std::size_t accepted_count() const;
  std::size_t request_count() const;
  std::size_t connection_count() const;
  std::size_t tls_failures() const;

 private:
  Answer decide(RecordedRequest& request);
  Answer check_and_accept(RecordedRequest& request);
  std::optional<Fault> take_fault();

  mutable std::mutex mutex_;
  std::string api_key_;
  bool count_only_;
  std::deque<Fault> queued_faults_;
  std::optional<Fault> standing_fault_;
  std::chrono::milliseconds delay_{0};
  std::optional<Chaos> chaos_;
  std::mt19937_64 chaos_rng_;
  std::size_t max_body_bytes_ = 64 * 1024 * 1024;
  std::string invalid_marker_;
  int accept_status_ = 202;
  std::optional<std::size_t> event_quota_;
  std::string quota_retry_after_;
  std::vector<RecordedRequest> requests_;
  std::vector<std::string> accepted_;
  std::size_t accepted_count_ = 0;
  std::size_t request_count_ = 0;
  std::size_t connections_ = 0;
  std::size_t tls_failures_ = 0;
};

// The number of elements of the top-level "events" array, by a structural
// scan without building a document (count_only mode); nothing if malformed.
std::optional<std::size_t> count_events(const std::string& body);

}  // namespace sluice::testing
