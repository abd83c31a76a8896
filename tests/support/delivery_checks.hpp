#pragma once
// Checks on what a TestIngestServer accepted from a delivery run: every
// event arrived, in order per job, and nothing twice except by a retry of
// the same batch (same Idempotency-Key, same body).

#include <map>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/ingest_server.hpp"
#include "support/sample_events.hpp"

namespace sluice::testing {

// Per job, the sequence numbers must only grow in the order accepted.
inline ::testing::AssertionResult in_order_per_job(const std::vector<std::string>& accepted) {
  std::map<std::string, long long> last;
  for (const auto& event : accepted) {
    const SampleKey key = sample_key(event);
    auto [it, fresh] = last.try_emplace(key.job, key.seq);
    if (!fresh) {
      if (key.seq <= it->second) {
        return ::testing::AssertionFailure() << "job " << key.job << ": seq " << key.seq << " after " << it->second;
      }
      it->second = key.seq;
    }
  }
  return ::testing::AssertionSuccess();
}

inline ::testing::AssertionResult no_duplicates(const std::vector<std::string>& accepted) {
  std::set<std::string> seen;
  for (const auto& event : accepted) {
    if (!seen.insert(event).second) return ::testing::AssertionFailure() << "accepted twice: " << event;
  }
  return ::testing::AssertionSuccess();
}

// Requests that share an Idempotency-Key carry the same body: a key means
// one batch, resent only as a retry.
inline ::testing::AssertionResult keys_mean_one_batch(const std::vector<RecordedRequest>& requests) {
  std::map<std::string, std::string> body_of;
  for (const auto& request : requests) {
    const std::string key = request.header("idempotency-key");
    if (key.empty()) return ::testing::AssertionFailure() << "a request without Idempotency-Key";
    auto [it, fresh] = body_of.try_emplace(key, request.body);
    if (!fresh && it->second != request.body) {
      return ::testing::AssertionFailure() << "key " << key << " reused for a different body";
    }
  }
  return ::testing::AssertionSuccess();
}

inline std::size_t retried_batches(const std::vector<RecordedRequest>& requests) {
  std::map<std::string, int> count;
  for (const auto& request : requests) ++count[request.header("idempotency-key")];
  std::size_t retried = 0;
  for (const auto& [key, n] : count) retried += n > 1 ? 1 : 0;
  return retried;
}

}  // namespace sluice::testing
