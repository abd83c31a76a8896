#pragma once
// RetryPolicy: what to do after one attempt to send a batch, driven by ONE
// table keyed by HTTP status (docs/ingest-contract.md §2). Pure: the wall
// clock (for Retry-After dates) and the random source are parameters.

#include <chrono>
#include <cstddef>
#include <random>
#include <span>
#include <string_view>

#include "common/backoff.hpp"
#include "deliver/send_result.hpp"

namespace sluice::deliver {

enum class Action {
  delivered,         // drop the batch from the buffer, count its events as sent
  split,             // resend the two halves, in order, right away
  drop_rejected,     // a single event the API will never take: drop and count it
  stop_sending,      // configuration problem: keep buffering, try again later
  wait_retry_after,  // send nothing before Retry-After has passed
  backoff,           // retry the same batch after exponential backoff with jitter
};

const char* to_string(Action action);

struct StatusRule {
  int first;               // status range, inclusive
  int last;
  Action batch_action;     // for a batch of several events
  Action single_action;    // for a batch of one event
  std::string_view hint;   // for configuration problems: what to check
};

// The table. Statuses it does not list (1xx, 3xx, other 4xx) and transport
// failures are retried with backoff: never lose events on an undocumented answer.
std::span<const StatusRule> status_table();
const StatusRule* find_rule(int status);

// The contract's numbers (ingest §2); tests of the loop shorten them.
struct RetryTiming {
  Backoff::Duration backoff_base{500};
  Backoff::Duration backoff_cap{30'000};
  std::chrono::milliseconds configuration_retry{60'000};
};

struct Step {
  Action action = Action::backoff;
  std::chrono::milliseconds delay{0};  // wait before the next attempt
  std::string_view hint;

  bool operator==(const Step&) const = default;
};

class RetryPolicy {
 public:
  explicit RetryPolicy(RetryTiming timing = {})
      : backoff_(timing.backoff_base, timing.backoff_cap), configuration_retry_(timing.configuration_retry) {}

  Step next(const SendResult& result, std::size_t batch_events, std::chrono::system_clock::time_point now,
            std::mt19937_64& rng);

  const Backoff& backoff() const { return backoff_; }

 private:
  Backoff backoff_;
  std::chrono::milliseconds configuration_retry_;
};

}  // namespace sluice::deliver
