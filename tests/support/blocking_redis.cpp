#include "support/blocking_redis.hpp"

#include <hiredis/hiredis.h>

#include <stdexcept>

namespace sluice::testing {

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
  auto value = redis::from_hiredis(*reply);
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
