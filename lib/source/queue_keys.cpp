#include "source/queue_keys.hpp"

#include "common/uuid.hpp"

namespace sluice::source {
namespace {

constexpr std::string_view kBindingPrefix = "_kombu.binding.";

bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

}  // namespace

std::optional<Binding> parse_binding_member(std::string_view member) {
  const auto first = member.find(kKombuSeparator);
  if (first == std::string_view::npos) return std::nullopt;
  const auto second = member.find(kKombuSeparator, first + kKombuSeparator.size());
  if (second == std::string_view::npos) return std::nullopt;
  Binding out;
  out.routing_key = std::string(member.substr(0, first));
  out.pattern = std::string(member.substr(first + kKombuSeparator.size(), second - first - kKombuSeparator.size()));
  out.queue = std::string(member.substr(second + kKombuSeparator.size()));
  if (out.queue.empty() || out.queue.find(kKombuSeparator) != std::string::npos) return std::nullopt;
  return out;
}

std::string binding_scan_pattern(std::string_view keyprefix) {
  std::string out;
  for (char c : keyprefix) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') out += '\\';
    out += c;
  }
  out += kBindingPrefix;
  out += '*';
  return out;
}

std::optional<std::string> binding_exchange(std::string_view key, std::string_view keyprefix) {
  if (!starts_with(key, keyprefix)) return std::nullopt;
  key.remove_prefix(keyprefix.size());
  if (!starts_with(key, kBindingPrefix)) return std::nullopt;
  return std::string(key.substr(kBindingPrefix.size()));
}

bool is_machinery(std::string_view exchange, std::string_view queue, std::string_view event_exchange) {
  if (exchange == event_exchange || ends_with(exchange, ".pidbox")) return true;
  if (ends_with(queue, ".pidbox") || starts_with(queue, "reply.")) return true;
  const std::string events_prefix = std::string(event_exchange) + ".";
  return starts_with(queue, events_prefix) && canonical_uuid(queue.substr(events_prefix.size())).has_value();
}

std::vector<std::string> depth_keys(std::string_view keyprefix, std::string_view queue) {
  std::vector<std::string> keys;
  keys.reserve(kDepthKeysPerQueue);
  const std::string base = std::string(keyprefix) + std::string(queue);
  keys.push_back(base);
  for (const char* step : kPriorityStepSuffixes) keys.push_back(base + std::string(kKombuSeparator) + step);
  return keys;
}

std::vector<redis::CommandArgs> depth_commands(std::string_view keyprefix, const std::vector<std::string>& queues) {
  std::vector<redis::CommandArgs> batch;
  batch.reserve(queues.size() * kDepthKeysPerQueue);
  for (const auto& queue : queues) {
    for (auto& key : depth_keys(keyprefix, queue)) batch.push_back({"LLEN", std::move(key)});
  }
  return batch;
}

}  // namespace sluice::source
