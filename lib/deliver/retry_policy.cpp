#include "deliver/retry_policy.hpp"

#include <array>

#include "deliver/retry_after.hpp"

namespace sluice::deliver {
namespace {

constexpr std::array<StatusRule, 8> kTable{{
    {200, 299, Action::delivered, Action::delivered, ""},
    {400, 400, Action::split, Action::drop_rejected, ""},
    {401, 401, Action::stop_sending, Action::stop_sending, "check SLUICE_API_KEY"},
    {403, 403, Action::stop_sending, Action::stop_sending,
     "the key may not send events for this connection; check SLUICE_API_KEY and SLUICE_CONNECTION_ID"},
    {404, 404, Action::stop_sending, Action::stop_sending, "check SLUICE_API_URL"},
    {413, 413, Action::split, Action::drop_rejected, ""},
    {429, 429, Action::wait_retry_after, Action::wait_retry_after, ""},
    {500, 599, Action::backoff, Action::backoff, ""},
}};

}  // namespace

const char* to_string(Action action) {
  switch (action) {
    case Action::delivered: return "delivered";
    case Action::split: return "split";
    case Action::drop_rejected: return "drop_rejected";
    case Action::stop_sending: return "stop_sending";
    case Action::wait_retry_after: return "wait_retry_after";
    case Action::backoff: return "backoff";
  }
  return "backoff";
}

std::span<const StatusRule> status_table() { return kTable; }

const StatusRule* find_rule(int status) {
  for (const auto& rule : kTable) {
    if (status >= rule.first && status <= rule.last) return &rule;
  }
  return nullptr;
}

Step RetryPolicy::next(const SendResult& result, std::size_t batch_events,
                       std::chrono::system_clock::time_point now, std::mt19937_64& rng) {
  const StatusRule* rule = result.answered() ? find_rule(result.status) : nullptr;
  const Action action = !rule ? Action::backoff : batch_events > 1 ? rule->batch_action : rule->single_action;
  switch (action) {
    case Action::delivered:
    case Action::split:
    case Action::drop_rejected:
      // The API answered and took a decision: the outage, if any, is over.
      backoff_.reset();
      return Step{action, {}, {}};
    case Action::stop_sending:
      return Step{action, configuration_retry_, rule->hint};
    case Action::wait_retry_after:
      if (auto wait = parse_retry_after(result.retry_after, now)) return Step{action, *wait, {}};
      return Step{Action::backoff, backoff_.next(rng), {}};
    case Action::backoff:
      break;
  }
  return Step{Action::backoff, backoff_.next(rng), {}};
}

}  // namespace sluice::deliver
