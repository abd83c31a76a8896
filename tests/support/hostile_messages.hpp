#pragma once
// Hostile broker messages (issue: expansion bombs): bodies that cost the
// sender a few KB and would cost a naive decoder gigabytes and seconds,
// each zlib-compressed and base64-encoded into a kombu envelope, as anyone
// who can publish on the broker can send them. Shared by the hostile-input
// tests and bench/hostile_bench.

#include <cstdio>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "unit/decode/payloads.hpp"

namespace sluice::testing {

struct HostileShape {
  const char* name;
  const char* content_type;
  std::function<std::string(std::size_t)> body;  // a body of at most `size` bytes, before compression
};

namespace hostile {

// `unit` repeated inside `open`…`close`, at most `size` bytes in all.
inline std::string repeated(std::string_view open, std::string_view unit, std::string_view separator,
                            std::string_view close, std::size_t size) {
  std::string out(open);
  const std::size_t count = (size - open.size() - close.size()) / (unit.size() + separator.size());
  out.reserve(size);
  for (std::size_t i = 0; i < count; ++i) {
    if (i > 0) out += separator;
    out += unit;
  }
  out += close;
  return out;
}

inline constexpr std::string_view kHeartbeat =
    R"({"hostname": "w@h", "utcoffset": 0, "pid": 7, "clock": 3, "freq": 2.0, "active": 0, "processed": 1, )"
    R"("timestamp": 1795498137.5, "type": "worker-heartbeat"})";
inline constexpr std::string_view kEventHead = R"({"type": "worker-heartbeat", "hostname": "w@h", "timestamp": 1.5, )";

inline std::string msgpack_array32(std::size_t count) {
  std::string out(1, '\xdd');
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((count >> shift) & 0xff);
  return out;
}

// {"k000000001": 0, …}: distinct keys.
inline std::string msgpack_map_of_keys(std::size_t size) {
  const std::size_t count = (size - 8) / 12;
  std::string out = "\xdf" + msgpack_array32(count).substr(1);
  char key[32];
  for (std::size_t i = 0; i < count; ++i) {
    std::snprintf(key, sizeof key, "\xaak%09zu", i % 1000000000);
    out.append(key, 11);
    out += '\0';
  }
  return out;
}

// "Billion laughs": each level lists the previous one ten times.
inline std::string yaml_alias_bomb(std::size_t size) {
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char level = 'b'; level <= 'z' && bomb.size() + 60 < size; ++level) {
    bomb += std::string(1, level) + ": &" + level + " [";
    for (int i = 0; i < 10; ++i) bomb += std::string(i ? ", *" : "*") + static_cast<char>(level - 1);
    bomb += "]\n";
  }
  return bomb;
}

}  // namespace hostile

inline const std::vector<HostileShape>& hostile_shapes() {
  using namespace hostile;
  static const std::vector<HostileShape> all = {
      {"json-list-of-numbers", "application/json", [](std::size_t n) { return repeated("[", "0", ",", "]", n); }},
      {"json-list-of-empty-maps", "application/json", [](std::size_t n) { return repeated("[", "{}", ",", "]", n); }},
      {"json-list-of-valid-events", "application/json",
       [](std::size_t n) { return repeated("[", kHeartbeat, ", ", "]", n); }},
      {"json-loadavg-of-numbers", "application/json",
       [](std::size_t n) { return repeated(std::string(kEventHead) + "\"loadavg\": [", "0", ",", "]}", n); }},
      {"json-repeated-bad-field", "application/json",
       [](std::size_t n) { return repeated(kEventHead, R"("pid": "x")", ", ", "}", n); }},
      {"json-deep-nesting", "application/json", [](std::size_t n) { return std::string(n, '['); }},
      {"json-long-string", "application/json",
       [](std::size_t n) { return std::string(kEventHead) + "\"traceback\": \"" + std::string(n - 128, 'x') + "\"}"; }},
      {"msgpack-array-of-zeros", "application/x-msgpack",
       [](std::size_t n) { return msgpack_array32(n - 5) + std::string(n - 5, '\0'); }},
      {"msgpack-array-of-empty-maps", "application/x-msgpack",
       [](std::size_t n) { return msgpack_array32(n - 5) + std::string(n - 5, '\x80'); }},
      {"msgpack-deep-nesting", "application/x-msgpack", [](std::size_t n) { return std::string(n, '\x91'); }},
      {"msgpack-map-of-keys", "application/x-msgpack", msgpack_map_of_keys},
      {"yaml-flow-list-of-zeros", "application/x-yaml", [](std::size_t n) { return repeated("[", "0", ",", "]", n); }},
      {"yaml-block-list-of-zeros", "application/x-yaml",
       [](std::size_t n) { return repeated("", "- 0", "\n", "\n", n); }},
      {"yaml-alias-bomb", "application/x-yaml", yaml_alias_bomb},
      {"yaml-deep-nesting", "application/x-yaml", [](std::size_t n) { return std::string(n, '['); }},
  };
  return all;
}

// The shape's body of at most `size` bytes as a compressed kombu message.
inline std::string hostile_payload(const HostileShape& shape, std::size_t size) {
  auto spec = decode::testing::envelope_of("", shape.content_type);
  spec.compression = "application/x-gzip";
  spec.body = decode::testing::zlib_compress(shape.body(size));
  return decode::testing::kombu_payload(spec);
}

}  // namespace sluice::testing
