#include "source/channel_names.hpp"

#include <algorithm>
#include <cctype>

namespace sluice::source {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

}  // namespace

namespace {

// The fanout prefix as configured, {db} not filled in yet.
std::string raw_fanout_prefix(const config::Settings& settings) {
  const std::string mode = lower(settings.fanout_prefix);
  if (mode == "true") return "/{db}.";
  if (mode == "false") return "";
  return settings.fanout_prefix;
}

}  // namespace

std::string unfilled_fanout_key_prefix(const config::Settings& settings) {
  return settings.global_keyprefix + raw_fanout_prefix(settings);
}

std::string fanout_key_prefix(const config::Settings& settings) {
  return settings.global_keyprefix + replace_all(raw_fanout_prefix(settings), "{db}", std::to_string(settings.redis.db));
}

std::string publish_channel(const config::Settings& settings, std::string_view exchange,
                            std::string_view routing_key) {
  std::string channel = fanout_key_prefix(settings) + std::string(exchange);
  if (settings.fanout_patterns && !routing_key.empty()) {
    channel += '/';  // appended, not "/" + …: g++ 12 -O3 warns falsely (-Wrestrict) on that form
    channel += routing_key;
  }
  return channel;
}

std::string kombu_pattern(const config::Settings& settings, std::string_view exchange,
                          std::string_view binding_key) {
  std::string key(binding_key);
  std::replace(key.begin(), key.end(), '#', '*');
  return publish_channel(settings, exchange, key);
}

std::string escape_glob(std::string_view literal) {
  std::string out;
  out.reserve(literal.size());
  for (char c : literal) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

ChannelNames channel_names(const config::Settings& settings) {
  std::vector<std::string> prefixes{fanout_key_prefix(settings)};
  const std::string unfilled = unfilled_fanout_key_prefix(settings);
  if (settings.redis.uses_sentinel() && unfilled != prefixes.front()) {
    prefixes.push_back(unfilled);
  }
  ChannelNames out;
  for (const auto& prefix : prefixes) {
    const std::string exact = escape_glob(prefix + settings.event_exchange);
    const std::string suffixed = exact + "/*";
    out.event_patterns.push_back(settings.fanout_patterns ? suffixed : exact);
    out.event_patterns.push_back(settings.fanout_patterns ? exact : suffixed);
    out.pidbox_channels.push_back(prefix + settings.control_exchange + ".pidbox");
  }
  out.pidbox_channel = out.pidbox_channels.front();
  return out;
}

}  // namespace sluice::source
