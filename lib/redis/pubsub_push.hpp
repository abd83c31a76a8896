#pragma once
// What a reply on a subscribed connection means: a message (SUBSCRIBE), a
// pmessage (PSUBSCRIBE), a (un)subscribe confirmation, a PING answer, or
// something else. Pure: the subscriber's read loop only dispatches.

#include <cstdint>
#include <string>

#include "redis/redis_reply.hpp"

namespace sluice::redis {

struct PubSubPush {
  enum class Kind { message, subscribed, unsubscribed, pong, other };
  Kind kind = Kind::other;
  std::string pattern;  // pmessage: the pattern that matched; (p)subscribe: the pattern
  std::string channel;  // message/pmessage: the channel; subscribe: the channel
  std::string payload;  // message/pmessage
  std::int64_t count = 0;  // (un)subscribed: subscriptions now active on the connection

  bool operator==(const PubSubPush&) const = default;
};

// Moves the strings out of `reply`. Error replies and unknown shapes are
// Kind::other; the caller decides whether that is fatal.
PubSubPush parse_push(RedisReply&& reply);

}  // namespace sluice::redis
