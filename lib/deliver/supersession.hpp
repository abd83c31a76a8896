#pragma once
// Supersession: what is worth sending after a quota halt, and in which
// order. When the API says the day's quota is spent (a 429 with a long
// Retry-After), every event sent afterwards costs quota that may not come
// back before tomorrow, so the events still waiting are reduced to what a
// dashboard needs, most important first (docs/ingest-contract.md, "Quota
// halts"):
//
//  - a job's latest waiting state stands for its earlier waiting states:
//    they are dropped, and the latest takes over the previousState of the
//    first one dropped, so previousState stays "the state sluiced last sent";
//  - a worker's online and offline events stay; a busy/idle event goes when
//    a later event of the same worker is waiting;
//  - a queue's latest snapshot stands for the earlier ones.
//
// What is left is ordered: job states first, then workers with an online or
// offline event, then everything else, each part in arrival order. A key's
// events keep their order: a worker travels with its most important event.
// If that is still more than `room` holds, the least important events are
// dropped, oldest first.
//
// Keys are 64-bit hashes of the ids: two jobs sharing one (odds about 1 in
// 10^9 with 100 000 jobs waiting) would lose the earlier job's state.

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "deliver/encoded_events.hpp"

namespace sluice::deliver {

enum class Priority : std::uint8_t { job_state, worker_presence, other };
inline constexpr std::size_t kPriorities = 3;

struct Room {
  std::size_t events;
  std::size_t bytes;  // as EncodedEvents::bytes() counts them
};

enum class SupersededKind : std::uint8_t { job_state, worker_refresh, queue_snapshot };
inline constexpr std::size_t kSupersededKinds = 3;
const char* to_string(SupersededKind kind);  // the metric's reason label

struct Prioritized {
  EncodedEvents events{0};           // what is left, in sending order
  std::vector<Priority> priorities;  // one per event in `events`
  std::array<std::size_t, kSupersededKinds> superseded{};
  std::size_t overflow = 0;                   // dropped to fit `room`
  std::vector<std::uint16_t> released_tags;   // the spool tag of every event dropped (when not 0)
};

// `waiting` in arrival order (each key's events in its order).
Prioritized prioritize(const EncodedEvents& waiting, Room room);

}  // namespace sluice::deliver
