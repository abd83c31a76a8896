#include "redis/reply_reader.hpp"

#include <hiredis/hiredis.h>

#include <algorithm>
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

void ReplyReader::feed(std::string_view bytes) {
  if (unfed_pos_ == unfed_.size()) {
    unfed_.clear();  // keeps its capacity: one allocation for the reader's life
    unfed_pos_ = 0;
  }
  unfed_.append(bytes);
}

Expected<std::monostate, RedisError> ReplyReader::hand_over_slice() {
  const std::size_t n = std::min(kSliceBytes, unsliced());
  if (redisReaderFeed(reader_.get(), unfed_.data() + unfed_pos_, n) != REDIS_OK) {
    return Unexpected(reader_error(*reader_));
  }
  unfed_pos_ += n;
  return std::monostate{};
}

Expected<std::optional<RedisReply>, RedisError> ReplyReader::next() {
  void* raw = nullptr;
  for (;;) {
    if (redisReaderGetReply(reader_.get(), &raw) != REDIS_OK) return Unexpected(reader_error(*reader_));
    if (raw != nullptr || unsliced() == 0) break;
    auto handed = hand_over_slice();
    if (!handed) return Unexpected(handed.error());
  }
  if (raw == nullptr) return std::optional<RedisReply>{};
  const std::unique_ptr<redisReply, decltype(&freeReplyObject)> reply(static_cast<redisReply*>(raw),
                                                                     &freeReplyObject);
  return std::optional<RedisReply>(from_hiredis(*reply));
}

}  // namespace sluice::redis
