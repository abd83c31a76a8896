#pragma once
// ReplyReader: hiredis' RESP parser without a socket. Feed it the bytes as
// they arrive, take complete replies out; usable from any transport.
//
// Why it hands hiredis the bytes a slice at a time: after every reply that
// leaves more than 1 KiB consumed, hiredis 0.14 moves the whole unread rest
// of its buffer to the front (sdsrange). Fed a 16 KiB read of a pub/sub burst
// at once, that is quadratic: ~8 KiB moved per 1 KiB message, the single
// largest cost of the daemon at high rates. Slices of kSliceBytes bound the
// move to about one slice per reply.
//
// Every byte passes a ReplyGuard first: a reply declaring more than its
// ReplyLimits is refused before hiredis allocates anything for it. The
// replies before it still come out; then next() reports the refusal.

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/expected.hpp"
#include "redis/redis_error.hpp"
#include "redis/redis_reply.hpp"
#include "redis/reply_guard.hpp"
#include "redis/reply_limits.hpp"

struct redisReader;

namespace sluice::redis {

class ReplyReader {
 public:
  explicit ReplyReader(ReplyLimits limits = {});
  ~ReplyReader();
  ReplyReader(const ReplyReader&) = delete;
  ReplyReader& operator=(const ReplyReader&) = delete;

  static constexpr std::size_t kSliceBytes = 1024;

  // Appends received bytes (kept here until hiredis has taken them).
  void feed(std::string_view bytes);
  // The same without a copy: space for up to `bytes` more, to read into,
  // then commit() of how many arrived. The space is valid until then.
  std::span<char> prepare(std::size_t bytes);
  void commit(std::size_t bytes);

  // The next complete reply, nothing while one is still partial, or a
  // protocol error (after which the connection must be dropped).
  Expected<std::optional<RedisReply>, RedisError> next();

  // Bytes fed and not yet handed to hiredis.
  std::size_t unsliced() const { return unfed_end_ - unfed_pos_; }

  // A reply has started arriving and is not complete yet.
  bool reply_in_progress() const { return guard_.in_reply(); }
  // Replies whose last byte has been fed (taken out by next() or not).
  std::uint64_t replies_fed() const { return guard_.replies(); }

 private:
  Expected<std::monostate, RedisError> hand_over_slice();
  // Unsliced bytes hiredis may have: none from a refused reply on.
  std::size_t handable() const;

  struct Free {
    void operator()(redisReader* r) const;
  };
  std::unique_ptr<redisReader, Free> reader_;
  // Fed bytes are [unfed_pos_, unfed_end_) of unfed_; not a std::string,
  // whose resize would zero the space before each read fills it.
  std::unique_ptr<char[]> unfed_;
  std::size_t unfed_capacity_ = 0;
  std::size_t unfed_pos_ = 0;
  std::size_t unfed_end_ = 0;

  ReplyGuard guard_;
  std::optional<RedisError> refused_;
  std::uint64_t handed_ = 0;  // bytes handed to hiredis since the start
};

}  // namespace sluice::redis
