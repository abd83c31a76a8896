#pragma once
// FakeRedis: a scripted Redis server on 127.0.0.1 port 0, on its own thread,
// for what sluiced does when the server misbehaves: a reply header that
// declares gigabytes, a reply that trickles in forever, a subscription
// confirmed and dropped at once, an error during the handshake. It speaks
// just enough RESP: each command gets the answer the script names for it
// ("+OK" if none), PSUBSCRIBE/SUBSCRIBE are confirmed per pattern, PING is
// answered as a subscribed Redis does.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/url.hpp"

namespace sluice::testing {

struct FakeRedisScript {
  // Answers by command name (upper case), as raw RESP bytes. A listed
  // PSUBSCRIBE is answered with these bytes instead of its confirmations.
  std::map<std::string, std::string> answers;
  // Sent once a subscription is confirmed.
  std::string after_subscribe;
  // Then this many more bytes of 'x' (the body of a huge declared string),
  // in 64 KiB writes until done or the client goes away.
  std::uint64_t stream_bytes = 0;
  enum class Then {
    hold,     // keep the connection and keep answering commands
    close,    // close the connection at once
    trickle,  // send one more byte of 'x' every trickle_period, forever
  };
  Then then = Then::hold;
  std::chrono::milliseconds trickle_period{100};
};

class FakeRedis {
 public:
  // `script` is asked for the behaviour of each accepted connection (0, 1, …).
  explicit FakeRedis(std::function<FakeRedisScript(std::size_t connection)> script);
  // The same script for every connection.
  explicit FakeRedis(FakeRedisScript script);
  ~FakeRedis();
  FakeRedis(const FakeRedis&) = delete;
  FakeRedis& operator=(const FakeRedis&) = delete;

  std::uint16_t port() const;
  config::RedisUrl url() const;  // redis://127.0.0.1:<port>/0

  std::size_t connections() const;           // accepted so far
  std::size_t subscriptions() const;         // subscriptions confirmed so far
  std::uint64_t bytes_streamed() const;      // 'x' bytes sent (stream and trickle) so far
  std::vector<std::string> commands() const;  // names of the commands received, in order

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::testing
