#pragma once
// Pub/sub names kombu's Redis transport uses for Celery's fanout exchanges
// (docs/celery-protocol.md §2.1–2.2): what the daemon PSUBSCRIBEs to for
// events and where it PUBLISHes remote-control broadcasts. Pure.

#include <string>
#include <string_view>
#include <vector>

#include "config/settings.hpp"

namespace sluice::source {

struct ChannelNames {
  // Both kombu spellings of the event exchange, the one `fanout_patterns`
  // selects first: K+P+E+"/*" (routing key suffix) and K+P+E (no suffix).
  // They are disjoint, so no message arrives twice, and a deployment whose
  // processes disagree on fanout_patterns is still seen completely.
  std::vector<std::string> event_patterns;
  // K+P+control_exchange+".pidbox": PUBLISH target of enable_events/heartbeat.
  std::string pidbox_channel;
  // Every PUBLISH target, pidbox_channel first. On Sentinel (a sentinel://
  // URL) kombu before 5.4.0 never filled in {db}: its workers publish events
  // on "/{db}.celeryev/…" and listen on "/{db}.celery.pidbox", literally, and
  // later ones use the number. event_patterns then cover both spellings and
  // this names both pidbox channels, so workers on either side are seen and
  // reached (docs/celery-protocol.md §2.3).
  std::vector<std::string> pidbox_channels;

  bool operator==(const ChannelNames&) const = default;
};

ChannelNames channel_names(const config::Settings& settings);

// K + P: global_keyprefix, then the fanout prefix ("/{db}." for "true", ""
// for "false", else the custom text) with {db} replaced by the broker db.
std::string fanout_key_prefix(const config::Settings& settings);
// The same with {db} left as it is: kombu's Sentinel transport before 5.4.0.
std::string unfilled_fanout_key_prefix(const config::Settings& settings);

// The channel kombu PUBLISHes to on a fanout exchange (§2.1).
std::string publish_channel(const config::Settings& settings, std::string_view exchange,
                            std::string_view routing_key);

// The pattern kombu itself PSUBSCRIBEs for a queue bound with `binding_key`
// (§2.2: '#' becomes '*'), unescaped exactly as kombu sends it.
std::string kombu_pattern(const config::Settings& settings, std::string_view exchange,
                          std::string_view binding_key);

// `literal` with Redis glob metacharacters (* ? [ ] \) backslash-escaped, so
// a key prefix containing them matches only itself.
std::string escape_glob(std::string_view literal);

}  // namespace sluice::source
