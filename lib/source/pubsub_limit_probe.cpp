#include "source/pubsub_limit_probe.hpp"

#include "source/pubsub_limit.hpp"

namespace sluice::source {

asio::awaitable<void> PubsubLimitProbe::check(redis::Connection connection) {
  redis::CommandArgs args{"CONFIG", "GET", "client-output-buffer-limit"};  // (no braces inside co_await: g++ 12)
  auto reply = co_await connection.command(std::move(args));
  if (!reply) co_return;
  auto limit = parse_pubsub_limit(*reply);
  if (!limit) {
    on_verdict_(std::nullopt);  // unknown is not a warning
    if (!unreadable_said_) {
      unreadable_said_ = true;
      log_.log(observe::Level::info, "cannot read Redis client-output-buffer-limit; not checked",
               {{"error", limit.error()}});
    }
    co_return;
  }
  log_.log(observe::Level::debug, "redis pubsub output buffer limit",
           {{"hard_bytes", std::to_string(limit->hard_bytes)},
            {"soft_bytes", std::to_string(limit->soft_bytes)},
            {"soft_seconds", std::to_string(limit->soft_seconds)}});
  on_verdict_(judge_pubsub_limit(*limit));
}

}  // namespace sluice::source
