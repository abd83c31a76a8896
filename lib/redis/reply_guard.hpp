#pragma once
// ReplyGuard: reads the RESP2 structure of the bytes from Redis before
// hiredis sees them, and refuses a reply as soon as a header declares more
// than ReplyLimits allow: nothing is allocated for it, and the connection
// is dropped instead. It also knows whether a reply has started and not
// ended yet, for the deadline on a reply in progress.
//
// It follows hiredis 0.14's reading exactly (a line ends at "\r\n", a bulk
// string is its length plus two bytes, a negative length is nil), so both
// agree where each reply ends. Bytes are scanned once; payloads are skipped
// by their length, not looked at.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "redis/redis_error.hpp"
#include "redis/reply_limits.hpp"

namespace sluice::redis {

class ReplyGuard {
 public:
  explicit ReplyGuard(ReplyLimits limits) : limits_(limits) {}

  // Walks the next bytes from the server. Returns the reason a reply is
  // refused (too large, or not RESP2) as soon as it shows; from then on the
  // same reason, and refused_from() tells where that reply began.
  std::optional<RedisError> scan(std::string_view bytes);

  // A reply has started and has not ended.
  bool in_reply() const { return in_reply_; }
  // Complete replies scanned so far.
  std::uint64_t replies() const { return replies_; }
  // Offset in the byte stream of the refused reply's first byte (valid once refused).
  std::uint64_t refused_from() const { return reply_start_; }

 private:
  enum class State { type, line, bulk };
  // hiredis 0.14 refuses deeper nesting itself; this bounds our own stack.
  static constexpr std::size_t kMaxDepth = 16;
  // "-9223372036854775808" and the CR: longer is no length.
  static constexpr std::size_t kMaxHeaderChars = 21;

  std::size_t scan_line(std::string_view bytes);
  std::optional<RedisError> end_of_line();
  std::optional<RedisError> count_bytes(std::uint64_t bytes);
  void element_done();
  RedisError refuse(RedisError::Kind kind, std::string message);

  ReplyLimits limits_;
  State state_ = State::type;
  char type_ = 0;
  std::string header_;                    // the line of a '$' or '*' header, without "\r\n"
  bool line_cr_ = false;                  // the last line byte was '\r'
  std::uint64_t bulk_left_ = 0;           // bytes of a bulk string (and its "\r\n") still to come
  std::vector<std::uint64_t> open_;       // elements still to come per open array, innermost last
  bool in_reply_ = false;
  std::uint64_t reply_bytes_ = 0;         // of the current reply, declared bulk lengths included
  std::uint64_t reply_elements_ = 0;      // declared array elements of the current reply
  std::uint64_t offset_ = 0;              // bytes scanned before the current call's first byte
  std::uint64_t reply_start_ = 0;
  std::uint64_t replies_ = 0;
  std::optional<RedisError> refused_;
};

}  // namespace sluice::redis
