#include "support/blocking_redis.hpp"

#include <hiredis/hiredis.h>

#include <stdexcept>

namespace sluice::testing {
namespace {

// A deep copy of a hiredis reply (which the caller frees).
redis::RedisReply copy_reply(const redisReply& reply) {
  using redis::RedisReply;
  switch (reply.type) {
    case REDIS_REPLY_STATUS: return RedisReply::status(std::string(reply.str, reply.len));
    case REDIS_REPLY_ERROR: return RedisReply::error(std::string(reply.str, reply.len));
    case REDIS_REPLY_INTEGER: return RedisReply::integer(reply.integer);
    case REDIS_REPLY_STRING: return RedisReply::bulk(std::string(reply.str, reply.len));
    case REDIS_REPLY_ARRAY: {
      RedisReply::Array items;
      items.reserve(reply.elements);
      for (size_t i = 0; i < reply.elements; ++i) items.push_back(copy_reply(*reply.element[i]));
      return RedisReply::array(std::move(items));
    }
    default: return RedisReply::nil();  // REDIS_REPLY_NIL; hiredis 0.14 has no RESP3 types
  }
}

}  // namespace

BlockingRedis::BlockingRedis(const std::string& host, std::uint16_t port, const std::string& user,
                             const std::string& password) {
  const timeval timeout{2, 0};
  context_ = redisConnectWithTimeout(host.c_str(), port, timeout);
  if (context_ == nullptr || context_->err) {
    const std::string why = context_ ? context_->errstr : "out of memory";
    if (context_) redisFree(context_);
    context_ = nullptr;
    throw std::runtime_error("BlockingRedis: cannot connect: " + why);
  }
  redisSetTimeout(context_, timeout);
  if (!password.empty()) {
    auto reply = user.empty() ? command({"AUTH", password}) : command({"AUTH", user, password});
    if (reply.is_error()) throw std::runtime_error("BlockingRedis: AUTH failed");
  }
}

BlockingRedis::~BlockingRedis() {
  if (context_) redisFree(context_);
}

redis::RedisReply BlockingRedis::command(const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  for (const auto& a : args) {
    argv.push_back(a.data());
    lengths.push_back(a.size());
  }
  void* raw = redisCommandArgv(context_, static_cast<int>(args.size()), argv.data(), lengths.data());
  if (raw == nullptr) throw std::runtime_error(std::string("BlockingRedis: ") + context_->errstr);
  auto* reply = static_cast<redisReply*>(raw);
  auto value = copy_reply(*reply);
  freeReplyObject(reply);
  return value;
}

std::int64_t BlockingRedis::publish(const std::string& channel, const std::string& payload) {
  auto reply = command({"PUBLISH", channel, payload});
  if (!reply.as_integer()) throw std::runtime_error("BlockingRedis: PUBLISH failed");
  return *reply.as_integer();
}

std::int64_t BlockingRedis::pattern_subscribers() {
  auto reply = command({"PUBSUB", "NUMPAT"});
  return reply.as_integer().value_or(-1);
}

}  // namespace sluice::testing
