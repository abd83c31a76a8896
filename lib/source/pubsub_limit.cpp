#include "source/pubsub_limit.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <sstream>
#include <vector>

namespace sluice::source {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Redis prints bytes; redis.conf also accepts units (k, kb, m, mb, g, gb),
// so take them too in case a server echoes them.
std::optional<std::uint64_t> parse_size(std::string_view text) {
  std::uint64_t number = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (error != std::errc() || end == text.data()) return std::nullopt;
  const std::string unit = lower(std::string_view(end, static_cast<std::size_t>(text.data() + text.size() - end)));
  constexpr std::array<std::pair<std::string_view, std::uint64_t>, 7> units = {
      {{"", 1}, {"k", 1000}, {"kb", 1024}, {"m", 1000 * 1000}, {"mb", 1ULL << 20}, {"g", 1000ULL * 1000 * 1000},
       {"gb", 1ULL << 30}}};
  for (const auto& [name, factor] : units) {
    if (unit == name) return number * factor;
  }
  return std::nullopt;
}

std::vector<std::string> words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string word; in >> word;) out.push_back(word);
  return out;
}

std::string describe(const PubsubLimit& limit) {
  return std::to_string(limit.hard_bytes) + " " + std::to_string(limit.soft_bytes) + " " +
         std::to_string(limit.soft_seconds);
}

bool lower_than(std::uint64_t value, std::uint64_t default_value) { return value != 0 && value < default_value; }

}  // namespace

Expected<PubsubLimit, std::string> parse_pubsub_limit(const redis::RedisReply& reply) {
  if (reply.is_error()) return Unexpected(*reply.text());
  const auto* pair = reply.as_array();
  if (!pair || pair->size() != 2 || !(*pair)[1].text()) {
    return Unexpected(std::string("unexpected CONFIG GET reply (no client-output-buffer-limit)"));
  }
  const auto classes = words(*(*pair)[1].text());
  // Groups of four: class, hard, soft, soft seconds.
  for (std::size_t i = 0; i + 3 < classes.size(); i += 4) {
    if (lower(classes[i]) != "pubsub") continue;
    const auto hard = parse_size(classes[i + 1]);
    const auto soft = parse_size(classes[i + 2]);
    const auto seconds = parse_size(classes[i + 3]);
    if (!hard || !soft || !seconds) break;
    return PubsubLimit{*hard, *soft, *seconds};
  }
  return Unexpected("no pubsub class in client-output-buffer-limit \"" + *(*pair)[1].text() + "\"");
}

std::optional<Warning> judge_pubsub_limit(const PubsubLimit& limit) {
  if (!lower_than(limit.hard_bytes, kDefaultPubsubLimit.hard_bytes) &&
      !lower_than(limit.soft_bytes, kDefaultPubsubLimit.soft_bytes)) {
    return std::nullopt;
  }
  return Warning{std::string(kPubsubBufferLimitLow),
                 "Redis client-output-buffer-limit for pubsub is \"" + describe(limit) +
                     "\" (hard bytes, soft bytes, soft seconds), lower than the default \"" +
                     describe(kDefaultPubsubLimit) +
                     "\": Redis cuts sluiced's subscription off sooner when events come in bursts, and events "
                     "published meanwhile are lost; raise it (CONFIG SET client-output-buffer-limit \"pubsub 32mb "
                     "8mb 60\", and the same in redis.conf)"};
}

}  // namespace sluice::source
