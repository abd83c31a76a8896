#pragma once
// Queue keys on a kombu Redis broker: the `_kombu.binding.*` sets that name
// the queues, which of their members are Celery's own machinery, and the
// list keys (priority sub-lists included) whose LLEN sum is a queue's depth.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "redis/command_format.hpp"

namespace sluice::source {

// One member of a binding set: "routing_key \x06\x16 pattern \x06\x16 queue".
struct Binding {
  std::string routing_key;
  std::string pattern;
  std::string queue;

  bool operator==(const Binding&) const = default;
};

inline constexpr std::string_view kKombuSeparator = "\x06\x16";
// kombu's default priority_steps [0, 3, 6, 9]: step 0 is the queue list itself.
inline constexpr const char* kPriorityStepSuffixes[] = {"3", "6", "9"};

std::optional<Binding> parse_binding_member(std::string_view member);

// The SCAN MATCH pattern for every binding set under `keyprefix`; glob
// characters in the prefix are escaped so they match only themselves.
std::string binding_scan_pattern(std::string_view keyprefix);

// The exchange a binding set key names ("<prefix>_kombu.binding.<exchange>"), or nothing.
std::optional<std::string> binding_exchange(std::string_view key, std::string_view keyprefix);

// Event and remote-control machinery, not work queues: the event exchange's
// bindings, `*.pidbox`, `reply.*` and `<event_exchange>.<uuid>` queues.
bool is_machinery(std::string_view exchange, std::string_view queue, std::string_view event_exchange);

// The queue list and its priority sub-lists, each with the key prefix.
std::vector<std::string> depth_keys(std::string_view keyprefix, std::string_view queue);

// LLEN of every depth key of every queue, in order (kDepthKeysPerQueue per queue).
inline constexpr std::size_t kDepthKeysPerQueue = 4;
std::vector<redis::CommandArgs> depth_commands(std::string_view keyprefix, const std::vector<std::string>& queues);

}  // namespace sluice::source
