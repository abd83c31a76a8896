#pragma once
// ReplyLimits: how much one reply from Redis may declare before sluiced
// allocates for it. hiredis trusts the headers: "*100000000" makes it
// allocate the whole array up front, and "$999999999" is buffered until it
// is complete. A hostile server, or anyone between sluiced and Redis on a
// plain redis:// link, can send such a header in a few bytes, so every
// header is checked against these limits first (see ReplyGuard).

#include <cstddef>

namespace sluice::redis {

struct ReplyLimits {
  // Room for what comes with a message's payload in one reply: the channel
  // and pattern names and the RESP headers.
  static constexpr std::size_t kMessageOverheadBytes = 1024 * 1024;

  // Bytes of one reply, headers and nested elements included.
  std::size_t max_reply_bytes = 16 * 1024 * 1024 + kMessageOverheadBytes;
  // Array elements in one reply, nested ones included. The largest replies
  // sluiced reads are SCAN/SSCAN pages (COUNT 1000, a few thousand at most
  // from a small set encoded in one piece); a pub/sub push has 3 or 4.
  std::size_t max_elements = 64 * 1024;

  // A pub/sub message may carry a payload of max_message_bytes: larger ones
  // (up to the overhead) still arrive and are dropped and counted by the
  // subscriber; beyond that the reply is refused and the connection dropped.
  static ReplyLimits for_messages_up_to(std::size_t max_message_bytes) {
    return {max_message_bytes + kMessageOverheadBytes, ReplyLimits{}.max_elements};
  }
};

}  // namespace sluice::redis
