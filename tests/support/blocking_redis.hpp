#pragma once
// BlockingRedis: a plain hiredis client for the test's own side of the
// conversation (PUBLISH fixtures, PING, inspect state). TCP only.

#include <cstdint>
#include <string>
#include <vector>

#include "redis/redis_reply.hpp"

struct redisContext;

namespace sluice::testing {

class BlockingRedis {
 public:
  // Connects (and AUTHs when a password is given); throws std::runtime_error on failure.
  BlockingRedis(const std::string& host, std::uint16_t port, const std::string& user = "",
                const std::string& password = "");
  ~BlockingRedis();
  BlockingRedis(const BlockingRedis&) = delete;
  BlockingRedis& operator=(const BlockingRedis&) = delete;

  // Throws std::runtime_error on I/O errors; error replies are returned.
  redis::RedisReply command(const std::vector<std::string>& args);
  // The number of subscribers that received it.
  std::int64_t publish(const std::string& channel, const std::string& payload);
  // Subscribers whose patterns match `channel` right now (PUBLISH-free probe).
  std::int64_t pattern_subscribers();

 private:
  redisContext* context_ = nullptr;
};

}  // namespace sluice::testing
