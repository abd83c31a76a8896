#include "redis/reply_reader.hpp"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <cstring>
#include <new>

namespace sluice::redis {
namespace {

RedisError reader_error(const redisReader& r) {
  return {RedisError::Kind::protocol, std::string("invalid reply from server: ") + r.errstr};
}

// hiredis builds our RedisReply directly through these callbacks instead of
// its own redisReply tree that would then be copied: one allocation and one
// copy fewer per element of every pub/sub message. A nested element goes
// into its slot of the parent array (sized up front, so slots never move);
// the root is the heap object that redisReaderGetReply hands back. They are
// called from C: nothing may throw through them (null means out of memory).
void* attach(const redisReadTask* task, RedisReply&& value) noexcept {
  if (task->parent == nullptr) return new (std::nothrow) RedisReply(std::move(value));
  auto* parent = static_cast<RedisReply*>(task->parent->obj);
  auto& slot = std::get<RedisReply::Array>(parent->value)[static_cast<std::size_t>(task->idx)];
  slot = std::move(value);
  return &slot;
}

void* create_string(const redisReadTask* task, char* text, size_t length) noexcept {
  try {
    std::string bytes(text, length);
    if (task->type == REDIS_REPLY_ERROR) return attach(task, RedisReply::error(std::move(bytes)));
    if (task->type == REDIS_REPLY_STATUS) return attach(task, RedisReply::status(std::move(bytes)));
    return attach(task, RedisReply::bulk(std::move(bytes)));
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}

void* create_array(const redisReadTask* task, int elements) noexcept {
  try {
    return attach(task, RedisReply::array(RedisReply::Array(static_cast<std::size_t>(std::max(elements, 0)))));
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}

void* create_integer(const redisReadTask* task, long long value) noexcept {
  return attach(task, RedisReply::integer(value));
}

void* create_nil(const redisReadTask* task) noexcept { return attach(task, RedisReply::nil()); }

// Only ever called on a root: the children live inside it.
void free_reply(void* reply) noexcept { delete static_cast<RedisReply*>(reply); }

const redisReplyObjectFunctions kReplyFunctions = {create_string, create_array, create_integer, create_nil, free_reply};

}  // namespace

void ReplyReader::Free::operator()(redisReader* r) const { redisReaderFree(r); }

ReplyReader::ReplyReader(ReplyLimits limits)
    : reader_(redisReaderCreateWithFunctions(
          // hiredis only reads the table; its signature predates const.
          const_cast<redisReplyObjectFunctions*>(&kReplyFunctions))),
      guard_(limits) {
  if (!reader_) throw std::bad_alloc();
}

ReplyReader::~ReplyReader() = default;

void ReplyReader::feed(std::string_view bytes) {
  const auto space = prepare(bytes.size());
  std::copy(bytes.begin(), bytes.end(), space.begin());
  commit(bytes.size());
}

std::span<char> ReplyReader::prepare(std::size_t bytes) {
  if (unfed_pos_ == unfed_end_) unfed_pos_ = unfed_end_ = 0;  // all taken: start over at the front
  if (unfed_capacity_ - unfed_end_ < bytes) {
    // Usually nothing is kept: hiredis takes every slice before the next
    // read and holds a partial reply itself.
    const std::size_t kept = unsliced();
    if (unfed_capacity_ < kept + bytes) {
      auto grown = std::make_unique_for_overwrite<char[]>(kept + bytes);
      if (kept > 0) std::memcpy(grown.get(), unfed_.get() + unfed_pos_, kept);
      unfed_ = std::move(grown);
      unfed_capacity_ = kept + bytes;
    } else if (kept > 0) {
      std::memmove(unfed_.get(), unfed_.get() + unfed_pos_, kept);
    }
    unfed_pos_ = 0;
    unfed_end_ = kept;
  }
  return {unfed_.get() + unfed_end_, bytes};
}

void ReplyReader::commit(std::size_t bytes) {
  bytes = std::min(bytes, unfed_capacity_ - unfed_end_);
  if (!refused_) refused_ = guard_.scan({unfed_.get() + unfed_end_, bytes});
  unfed_end_ += bytes;
}

std::size_t ReplyReader::handable() const {
  if (!refused_) return unsliced();
  const std::uint64_t from = guard_.refused_from();  // hiredis may hold the start of that reply already
  return handed_ >= from ? 0 : static_cast<std::size_t>(std::min<std::uint64_t>(unsliced(), from - handed_));
}

Expected<std::monostate, RedisError> ReplyReader::hand_over_slice() {
  const std::size_t n = std::min(kSliceBytes, handable());
  if (redisReaderFeed(reader_.get(), unfed_.get() + unfed_pos_, n) != REDIS_OK) {
    return Unexpected(reader_error(*reader_));
  }
  unfed_pos_ += n;
  handed_ += n;
  return std::monostate{};
}

Expected<std::optional<RedisReply>, RedisError> ReplyReader::next() {
  void* raw = nullptr;
  for (;;) {
    if (redisReaderGetReply(reader_.get(), &raw) != REDIS_OK) return Unexpected(reader_error(*reader_));
    if (raw != nullptr || handable() == 0) break;
    auto handed = hand_over_slice();
    if (!handed) return Unexpected(handed.error());
  }
  if (raw == nullptr) {
    // The replies before a refused one have come out: now the refusal.
    if (refused_) return Unexpected(*refused_);
    return std::optional<RedisReply>{};
  }
  const std::unique_ptr<RedisReply> reply(static_cast<RedisReply*>(raw));
  return std::optional<RedisReply>(std::move(*reply));
}

}  // namespace sluice::redis
