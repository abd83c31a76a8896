#pragma once
// Batch: the events of one POST /ingest and the Idempotency-Key that every
// retry of exactly these events reuses (docs/ingest-contract.md §1).

#include <cstddef>
#include <ostream>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::deliver {

inline constexpr std::string_view kBodyOpen = "{\"events\":[";
inline constexpr std::string_view kBodyClose = "]}";

// Size of {"events":[e1,e2,…]} for `events` events of `event_bytes` bytes in
// total, without building it: the wrapper plus one comma between events.
constexpr std::size_t body_size(std::size_t events, std::size_t event_bytes) {
  return kBodyOpen.size() + kBodyClose.size() + event_bytes + (events > 0 ? events - 1 : 0);
}

struct Batch {
  std::vector<std::string> events;  // compact JSON, one per event, in buffer order
  std::string idempotency_key;      // uuid4

  std::size_t body_bytes() const;
  std::string body() const;  // {"events":[…]}

  bool operator==(const Batch&) const = default;
};

// A new batch with a fresh Idempotency-Key.
Batch make_batch(std::vector<std::string> events, std::mt19937_64& rng);

// The first and second half of a batch (first half the larger one when odd),
// each with a new key: a split half is a different request (ingest §1).
std::pair<Batch, Batch> split_in_halves(Batch batch, std::mt19937_64& rng);

std::ostream& operator<<(std::ostream& os, const Batch& batch);

}  // namespace sluice::deliver
