#include "redis/reply_reader.hpp"

#include <hiredis/hiredis.h>

#include <new>

namespace sluice::redis {
namespace {

RedisError reader_error(const redisReader& r) {
  return {RedisError::Kind::protocol, std::string("invalid reply from server: ") + r.errstr};
}

}  // namespace

void ReplyReader::Free::operator()(redisReader* r) const { redisReaderFree(r); }

ReplyReader::ReplyReader() : reader_(redisReaderCreate()) {
  if (!reader_) throw std::bad_alloc();
}

ReplyReader::~ReplyReader() = default;

Expected<std::monostate, RedisError> ReplyReader::feed(std::string_view bytes) {
  if (redisReaderFeed(reader_.get(), bytes.data(), bytes.size()) != REDIS_OK) {
    return Unexpected(reader_error(*reader_));
  }
  return std::monostate{};
}

Expected<std::optional<RedisReply>, RedisError> ReplyReader::next() {
  void* raw = nullptr;
  if (redisReaderGetReply(reader_.get(), &raw) != REDIS_OK) return Unexpected(reader_error(*reader_));
  if (raw == nullptr) return std::optional<RedisReply>{};
  const std::unique_ptr<redisReply, decltype(&freeReplyObject)> reply(static_cast<redisReply*>(raw),
                                                                     &freeReplyObject);
  return std::optional<RedisReply>(from_hiredis(*reply));
}

}  // namespace sluice::redis
