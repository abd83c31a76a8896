#include "source/queue_reads.hpp"

#include <sstream>

#include "source/queue_keys.hpp"

namespace sluice::source {
namespace {

using ScanPage = Expected<std::pair<std::string, std::vector<std::string>>, std::string>;

std::string describe(const redis::RedisError& error) {
  std::ostringstream out;
  out << error;
  return out.str();
}

// One page of SCAN/SSCAN: the next cursor and the elements.
asio::awaitable<ScanPage> scan_page(redis::Connection& connection, redis::CommandArgs command) {
  auto reply = co_await connection.command(std::move(command));
  if (!reply) co_return Unexpected(describe(reply.error()));
  if (reply->is_error()) co_return Unexpected(*reply->text());
  const auto* parts = reply->as_array();
  if (!parts || parts->size() != 2 || !(*parts)[0].text() || !(*parts)[1].as_array()) {
    co_return Unexpected(std::string("unexpected SCAN reply"));
  }
  std::vector<std::string> items;
  for (const auto& item : *(*parts)[1].as_array()) {
    if (item.text()) items.push_back(*item.text());
  }
  co_return std::make_pair(*(*parts)[0].text(), std::move(items));
}

// Every element of a SCAN (key empty) or SSCAN (of `key`) iteration.
asio::awaitable<Expected<std::vector<std::string>, std::string>> scan_all(redis::Connection& connection,
                                                                         const std::string& key,
                                                                         const std::string& match) {
  std::vector<std::string> out;
  std::string cursor = "0";
  do {
    redis::CommandArgs command = key.empty() ? redis::CommandArgs{"SCAN", cursor, "MATCH", match, "COUNT", "1000"}
                                             : redis::CommandArgs{"SSCAN", key, cursor, "COUNT", "1000"};
    auto page = co_await scan_page(connection, std::move(command));
    if (!page) co_return Unexpected(page.error());
    cursor = page->first;
    for (auto& item : page->second) out.push_back(std::move(item));
  } while (cursor != "0");
  co_return out;
}

}  // namespace

DepthPoll sum_depth_replies(const std::vector<std::string>& queues, const std::vector<redis::RedisReply>& replies) {
  DepthPoll out;
  for (std::size_t q = 0; q < queues.size(); ++q) {
    track::QueueReading reading{queues[q], 0LL};
    for (std::size_t k = 0; k < kDepthKeysPerQueue; ++k) {
      const std::size_t i = q * kDepthKeysPerQueue + k;
      const auto n = i < replies.size() ? replies[i].as_integer() : std::nullopt;
      if (n) {
        if (reading.depth) *reading.depth += *n;
        continue;
      }
      reading.depth.reset();
      if (out.error.empty()) {
        out.error = i < replies.size() && replies[i].text() ? *replies[i].text() : "missing LLEN reply";
      }
    }
    out.readings.push_back(std::move(reading));
  }
  return out;
}

asio::awaitable<Expected<std::set<std::string>, std::string>> scan_bound_queues(redis::Connection connection,
                                                                              std::string keyprefix,
                                                                              std::string event_exchange) {
  auto keys = co_await scan_all(connection, "", binding_scan_pattern(keyprefix));
  if (!keys) co_return Unexpected(keys.error());
  std::set<std::string> queues;
  for (const auto& key : *keys) {
    const auto exchange = binding_exchange(key, keyprefix);
    if (!exchange) continue;
    auto members = co_await scan_all(connection, key, "");
    if (!members) co_return Unexpected(members.error());
    for (const auto& member : *members) {
      auto binding = parse_binding_member(member);
      if (binding && !is_machinery(*exchange, binding->queue, event_exchange)) queues.insert(binding->queue);
    }
  }
  co_return queues;
}

asio::awaitable<Expected<DepthPoll, std::string>> read_depths(redis::Connection connection, std::string keyprefix,
                                                              std::vector<std::string> queues) {
  if (queues.empty()) co_return DepthPoll{};
  auto replies = co_await connection.commands(depth_commands(keyprefix, queues));
  if (!replies) co_return Unexpected(describe(replies.error()));
  co_return sum_depth_replies(queues, *replies);
}

}  // namespace sluice::source
