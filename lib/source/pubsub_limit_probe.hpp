#pragma once
// PubsubLimitProbe: reads Redis' client-output-buffer-limit for pub/sub
// clients (CONFIG GET) on a connection another stage already holds — the
// queue poller's or the control broadcaster's, never the subscribed one —
// once per (re)connection, and hands over its verdict: a warning, or none.
// CONFIG is often refused (ACL without +config|get, a renamed or disabled
// command on managed Redis): that is said once at info and is no warning.

#include <functional>
#include <optional>

#include "common/asio.hpp"
#include "common/warning.hpp"
#include "observe/log.hpp"
#include "redis/connection.hpp"

namespace sluice::source {

class PubsubLimitProbe {
 public:
  using Verdict = std::function<void(const std::optional<Warning>&)>;

  PubsubLimitProbe(observe::Logger& log, Verdict on_verdict) : log_(log), on_verdict_(std::move(on_verdict)) {}

  // Never fails: an I/O error is left for the connection's owner to find.
  asio::awaitable<void> check(redis::Connection connection);

 private:
  observe::Logger& log_;
  Verdict on_verdict_;
  bool unreadable_said_ = false;
};

}  // namespace sluice::source
