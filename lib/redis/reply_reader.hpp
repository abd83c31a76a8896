#pragma once
// ReplyReader: hiredis' RESP parser without a socket. Feed it the bytes as
// they arrive, take complete replies out; usable from any transport.

#include <memory>
#include <optional>
#include <string_view>

#include "common/expected.hpp"
#include "redis/redis_error.hpp"
#include "redis/redis_reply.hpp"

struct redisReader;

namespace sluice::redis {

class ReplyReader {
 public:
  ReplyReader();
  ~ReplyReader();
  ReplyReader(const ReplyReader&) = delete;
  ReplyReader& operator=(const ReplyReader&) = delete;

  // Appends received bytes; fails only when hiredis is out of memory or
  // already in an error state.
  Expected<std::monostate, RedisError> feed(std::string_view bytes);

  // The next complete reply, nothing while one is still partial, or a
  // protocol error (after which the connection must be dropped).
  Expected<std::optional<RedisReply>, RedisError> next();

 private:
  struct Free {
    void operator()(redisReader* r) const;
  };
  std::unique_ptr<redisReader, Free> reader_;
};

}  // namespace sluice::redis
