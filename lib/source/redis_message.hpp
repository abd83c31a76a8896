#pragma once
// RedisMessage: one pub/sub delivery as the source stage hands it on.

#include <ostream>
#include <string>

namespace sluice::source {

struct RedisMessage {
  std::string pattern;  // the PSUBSCRIBE pattern that matched (empty for SUBSCRIBE)
  std::string channel;
  std::string payload;

  bool operator==(const RedisMessage&) const = default;
};

inline std::ostream& operator<<(std::ostream& os, const RedisMessage& m) {
  return os << "RedisMessage{" << m.channel << ", " << m.payload.size() << " bytes}";
}

}  // namespace sluice::source
