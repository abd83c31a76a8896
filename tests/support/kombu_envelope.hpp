#pragma once
// Reads the few envelope fields tests care about (docs/celery-protocol.md
// §3) without the decode stage: the pidbox method, the routing key, and the
// event types inside an event message.

#include <string>
#include <vector>

namespace sluice::testing {

// properties.delivery_info.routing_key, or "" when the payload is no envelope.
std::string routing_key_of(const std::string& payload);
// The "method" of a pidbox broadcast, or "".
std::string pidbox_method_of(const std::string& payload);
// The "type" of each event in a JSON event message (map or list body).
std::vector<std::string> event_types_of(const std::string& payload);
// The headers.clock and properties.delivery_tag of a pidbox broadcast.
long long pidbox_clock_of(const std::string& payload);
std::string delivery_tag_of(const std::string& payload);

}  // namespace sluice::testing
