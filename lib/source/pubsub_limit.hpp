#pragma once
// Redis' `client-output-buffer-limit` for pub/sub clients, as read with
// CONFIG GET: parsed and judged without I/O. Redis cuts off a subscriber
// whose unread output passes the hard limit, or stays over the soft limit
// for the given seconds (docs/celery-protocol.md §9.2); a limit lower
// than Redis' default makes that happen sooner, and events are lost.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/expected.hpp"
#include "common/warning.hpp"
#include "redis/redis_reply.hpp"

namespace sluice::source {

inline constexpr std::string_view kPubsubBufferLimitLow = "pubsub_buffer_limit_low";

struct PubsubLimit {
  std::uint64_t hard_bytes = 0;  // 0: no limit
  std::uint64_t soft_bytes = 0;  // 0: no limit
  std::uint64_t soft_seconds = 0;

  bool operator==(const PubsubLimit&) const = default;
};

// Redis' default: `pubsub 32mb 8mb 60`.
inline constexpr PubsubLimit kDefaultPubsubLimit{32ULL << 20, 8ULL << 20, 60};

// The pubsub class of a `CONFIG GET client-output-buffer-limit` reply
// (["client-output-buffer-limit", "normal 0 0 0 replica … pubsub 33554432 8388608 60"]),
// or why the reply is not one.
Expected<PubsubLimit, std::string> parse_pubsub_limit(const redis::RedisReply& reply);

// A warning when a limit is set (non-zero) and lower than the default.
std::optional<Warning> judge_pubsub_limit(const PubsubLimit& limit);

}  // namespace sluice::source
