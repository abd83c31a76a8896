#include "redis/pubsub_push.hpp"

#include <variant>

namespace sluice::redis {
namespace {

std::string* bulk(RedisReply& r) { return std::get_if<std::string>(&r.value); }

// The bulk string's bytes (moved out), or "" for a nil or another kind.
std::string take(RedisReply& r) {
  if (auto* s = bulk(r)) return std::move(*s);
  return {};
}

bool all_bulk(RedisReply::Array& items, size_t from, size_t to) {
  for (size_t i = from; i < to; ++i) {
    if (!bulk(items[i])) return false;
  }
  return true;
}

PubSubPush confirmation(RedisReply::Array& items, const std::string& kind) {
  PubSubPush out;
  const bool pattern = kind.front() == 'p';
  const bool subscribe = kind == "subscribe" || kind == "psubscribe";
  out.kind = subscribe ? PubSubPush::Kind::subscribed : PubSubPush::Kind::unsubscribed;
  // Unsubscribing from everything confirms with a nil name: take() gives "".
  (pattern ? out.pattern : out.channel) = take(items[1]);
  out.count = items[2].as_integer().value_or(0);
  return out;
}

}  // namespace

PubSubPush parse_push(RedisReply&& reply) {
  auto* items = std::get_if<RedisReply::Array>(&reply.value);
  if (!items || items->empty() || !bulk(items->front())) return {};
  const std::string kind = take(items->front());
  auto& v = *items;
  if (kind == "pmessage" && v.size() == 4 && all_bulk(v, 1, 4)) {
    return {PubSubPush::Kind::message, take(v[1]), take(v[2]), take(v[3]), 0};
  }
  if (kind == "message" && v.size() == 3 && all_bulk(v, 1, 3)) {
    return {PubSubPush::Kind::message, {}, take(v[1]), take(v[2]), 0};
  }
  if ((kind == "subscribe" || kind == "psubscribe" || kind == "unsubscribe" || kind == "punsubscribe") &&
      v.size() == 3) {
    return confirmation(v, kind);
  }
  if (kind == "pong") return {PubSubPush::Kind::pong, {}, {}, {}, 0};
  return {};
}

}  // namespace sluice::redis
