#include "app/instance_id.hpp"

#include <unistd.h>

#include <array>
#include <random>

#include "common/utf8.hpp"

namespace sluice::app {

std::string make_instance_id(std::uint64_t seed) {
  std::array<char, 256> host{};
  std::string name = ::gethostname(host.data(), host.size() - 1) == 0 ? std::string(host.data()) : "host";
  if (name.empty()) name = "host";
  std::mt19937_64 rng(seed);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string random(8, '0');
  for (char& c : random) c = kHex[rng() % 16];
  return utf8::truncated(name, 128) + "-" + std::to_string(::getpid()) + "-" + random;
}

}  // namespace sluice::app
