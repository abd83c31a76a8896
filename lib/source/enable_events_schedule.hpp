#pragma once
// EnableEventsSchedule: when sluiced broadcasts enable_events. Pure: the
// clock is a parameter, nothing is sent from here.
//
// Celery (5.2.6 to 5.6.3) announces a worker with worker-online before it
// subscribes to the pidbox channel: 2-10 ms later, or about 1 s later in a
// third of starts. pub/sub has no memory, so the broadcast sent on
// worker-online usually reaches nobody, and the worker runs its first tasks
// blind. So a worker that appears (worker-online, first heartbeat, restart)
// is *pending* until it demonstrably has events on:
//  - a PUBLISH's receiver count grew past the count before it appeared: that
//    PUBLISH was delivered to it. Growth is credited to pending workers
//    oldest first (a count cannot say whose subscription it was);
//  - or it sent a task event, or answered a `heartbeat` broadcast (the
//    caller says so: worker_has_events).
// While a worker is pending and unconfirmed, enable_events goes out every
// `fast` for `fast_phase` after it appeared, then at intervals growing with
// its age, and it is given up after `give_up`; otherwise every `slow`.
// After sluiced's own (re)subscription the fast beat runs for
// `after_subscription` (workers may have started while it was away).
//
// One broadcast reaches every worker, so however many workers are pending,
// broadcasts are at least min_gap() apart: `fast`, or longer when the last
// receiver count times the rate would exceed max_deliveries_per_second.
// Memory is bounded by max_pending.

#include <chrono>
#include <cstdint>
#include <list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/duration.hpp"

namespace sluice::source {

struct EnableEventsTiming {
  Duration slow{10'000};        // SLUICE_ENABLE_EVENTS_INTERVAL
  Duration fast{40};            // the beat while a worker is pending, and the global cap (25/s)
  Duration fast_phase{3'000};   // how long after a worker appears the beat stays fast
  Duration after_subscription{3'000};  // ... and after sluiced's own (re)subscription
  Duration give_up{30'000};     // a worker never confirmed stops being pending
  std::int64_t max_deliveries_per_second = 25'000;  // receivers x broadcasts per second
  std::size_t max_pending = 5'000;
};

class EnableEventsSchedule {
 public:
  using Clock = std::chrono::steady_clock;

  // A broadcast is due at once.
  EnableEventsSchedule(EnableEventsTiming timing, Clock::time_point now);

  // sluiced (re)subscribed: broadcast now, then fast for after_subscription.
  void subscribed(Clock::time_point now);
  // A worker started (worker-online, first heartbeat, a heartbeat showing a
  // restart): broadcast now (within the cap), then keep it pending.
  void worker_appeared(std::string_view node, Clock::time_point now);
  // Its task events (or its answer to a heartbeat broadcast) arrive: it needs
  // no more broadcasts. It stays in line for the receiver count, as its
  // subscription may still be counted later.
  void worker_has_events(std::string_view node);
  // worker-offline.
  void worker_left(std::string_view node);

  // A broadcast is being built: the triggers so far ride on it. A trigger
  // that arrives while it is in flight (a subscription completing during
  // the PUBLISH round trip) still makes the next broadcast immediate.
  void sending() { sending_ = triggers_; }
  // enable_events was PUBLISHed at `now` and Redis delivered it to
  // `receivers`. Returns the pending workers this count covers, oldest first.
  std::vector<std::string> published(Clock::time_point now, std::int64_t receivers);
  // Pending workers older than give_up stop being pending; returns those
  // that never had events on (the broadcasts never demonstrably reached them).
  std::vector<std::string> expire(Clock::time_point now);

  // When the next enable_events is due (may be in the past).
  Clock::time_point next_due() const;
  // Broadcasts are never closer together than this.
  Duration min_gap() const;

  std::size_t pending() const { return line_.size(); }
  std::size_t unconfirmed() const { return unconfirmed_; }
  std::optional<std::int64_t> last_receivers() const { return receivers_; }

 private:
  struct Pending {
    std::string node;
    Clock::time_point appeared;
    bool has_events = false;
  };
  using Line = std::list<Pending>;

  // The interval a pending worker of age `age` asks for.
  Duration interval_for(Clock::duration age) const;
  void remove(Line::iterator it);

  EnableEventsTiming timing_;
  Line line_;  // oldest first
  std::unordered_map<std::string, Line::iterator> by_node_;
  std::size_t unconfirmed_ = 0;                 // entries of line_ without has_events
  std::optional<Clock::time_point> last_sent_;  // nothing yet: due at once
  std::optional<std::int64_t> receivers_;       // of the last PUBLISH
  std::optional<std::int64_t> floor_;           // receivers before the pending workers appeared
  std::int64_t credited_ = 0;                   // growth over floor_ already credited
  Clock::time_point fast_until_{};              // after a (re)subscription
  bool immediate_ = true;                       // a trigger since the last broadcast
  std::uint64_t triggers_ = 0;                  // subscribed() and worker_appeared() calls so far
  std::optional<std::uint64_t> sending_;        // triggers_ when the broadcast in flight was built
};

}  // namespace sluice::source
