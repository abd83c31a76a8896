#pragma once
// The remote-control broadcast a monitor sends to every worker
// (docs/celery-protocol.md §7.2): a kombu envelope around a JSON command,
// without ticket/reply_to because no reply is wanted. Pure: the caller
// passes clock, expiry and delivery tag.

#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::source {

struct PidboxBroadcast {
  std::string method;        // "enable_events", "heartbeat", …
  std::string exchange;      // control_exchange + ".pidbox", e.g. "celery.pidbox"
  std::int64_t clock = 1;    // only advances the workers' Lamport clocks
  double expires = 0;        // unix time; workers do not check it (§7.2)
  std::string delivery_tag;  // a random uuid4

  bool operator==(const PidboxBroadcast&) const = default;
};

// {"method": "<m>", "arguments": {}, "destination": null, "pattern": null,
// "matcher": null}, spelled as Python's json.dumps does.
std::string pidbox_body(std::string_view method);

// The PUBLISH payload: one line of JSON.
std::string pidbox_message(const PidboxBroadcast& broadcast);

}  // namespace sluice::source
