#include "redis/sentinel_replies.hpp"

#include <charconv>
#include <vector>

namespace sluice::redis {
namespace {

std::optional<std::uint16_t> parse_port(std::string_view text) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value == 0 || value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

std::vector<std::string_view> split_words(std::string_view text) {
  std::vector<std::string_view> words;
  while (!text.empty()) {
    const auto start = text.find_first_not_of(' ');
    if (start == std::string_view::npos) break;
    text.remove_prefix(start);
    const auto end = text.find(' ');
    words.push_back(text.substr(0, end));
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end);
  }
  return words;
}

}  // namespace

Expected<config::RedisEndpoint, std::string> parse_master_address(const RedisReply& reply) {
  if (std::holds_alternative<RedisReply::Nil>(reply.value)) return Unexpected<std::string>("the master name is unknown there");
  if (reply.is_error()) return Unexpected<std::string>("refused: " + *reply.text());
  const auto* items = reply.as_array();
  if (items == nullptr || items->size() != 2 || (*items)[0].text() == nullptr || (*items)[1].text() == nullptr ||
      (*items)[0].text()->empty()) {
    return Unexpected<std::string>("answered something that is no address");
  }
  auto port = parse_port(*(*items)[1].text());
  if (!port) return Unexpected<std::string>("answered a port that is no port");
  return config::RedisEndpoint{*(*items)[0].text(), *port};
}

NodeRole parse_role(const RedisReply& reply) {
  const auto* items = reply.as_array();
  if (items == nullptr || items->empty() || items->front().text() == nullptr || reply.is_error()) {
    return NodeRole::unknown;
  }
  const std::string& role = *items->front().text();
  if (role == "master") return NodeRole::master;
  if (role == "slave" || role == "replica") return NodeRole::replica;
  return NodeRole::other;
}

std::optional<config::RedisEndpoint> parse_switch_master(std::string_view payload, std::string_view master_name) {
  const auto words = split_words(payload);
  if (words.size() != 5 || words[0] != master_name || words[3].empty()) return std::nullopt;
  auto port = parse_port(words[4]);
  if (!port) return std::nullopt;
  return config::RedisEndpoint{std::string(words[3]), *port};
}

}  // namespace sluice::redis
