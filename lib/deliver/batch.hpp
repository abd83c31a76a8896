#pragma once
// Batch: the events of one POST /ingest as the request body, built once
// from a byte range of EncodedEvents, with each event's place in it and the
// Idempotency-Key that every retry of exactly these events reuses
// (docs/ingest-contract.md).

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "deliver/encoded_events.hpp"

namespace sluice::deliver {

inline constexpr std::string_view kBodyOpen = "{\"events\":[";
inline constexpr std::string_view kBodyClose = "]}";

// Size of {"events":[e1,e2,…]} for `events` events of `event_bytes` bytes in
// total, without building it: the wrapper plus one comma between events.
constexpr std::size_t body_size(std::size_t events, std::size_t event_bytes) {
  return kBodyOpen.size() + kBodyClose.size() + event_bytes + (events > 0 ? events - 1 : 0);
}

class Batch {
 public:
  Batch() = default;
  // Events [first, first + count) of `events`, with a fresh key.
  Batch(const EncodedEvents& events, std::size_t first, std::size_t count, std::mt19937_64& rng);

  std::size_t size() const { return spans_.size(); }
  std::string_view event(std::size_t i) const;
  EventKind kind(std::size_t i) const { return spans_[i].kind; }
  EventKey key(std::size_t i) const { return spans_[i].key; }
  std::uint16_t tag(std::size_t i) const { return spans_[i].tag; }  // the spool's, see EncodedEvents::tag
  const std::string& body() const { return body_; }  // {"events":[…]}
  std::size_t body_bytes() const { return body_.size(); }
  const std::string& idempotency_key() const { return key_; }
  std::vector<std::string> events() const;  // copies, for the dry run and tests

  // The first and second half (first half the larger one when odd), each
  // with a new key: a split half is a different request.
  std::pair<Batch, Batch> halves(std::mt19937_64& rng) const;

  bool operator==(const Batch&) const = default;

 private:
  struct Span {
    std::uint32_t begin;  // in body_
    std::uint32_t length;
    EventKind kind;
    std::uint16_t tag;
    EventKey key;  // a batch refused whole goes back among the waiting events (supersession.hpp)
    bool operator==(const Span&) const = default;
  };
  Batch(const Batch& from, std::size_t first, std::size_t count, std::mt19937_64& rng);

  std::string body_;
  std::vector<Span> spans_;
  std::string key_;  // uuid4
};

std::ostream& operator<<(std::ostream& os, const Batch& batch);

}  // namespace sluice::deliver
