#pragma once
// The queue poller's Redis reads: discovering queues from the binding sets
// (SCAN + SSCAN, never KEYS/SMEMBERS) and reading every depth in one
// pipelined round trip. Failures come back as a short text for the log.

#include <set>
#include <string>
#include <vector>

#include "common/asio.hpp"
#include "common/expected.hpp"
#include "redis/connection.hpp"
#include "redis/redis_reply.hpp"
#include "track/queue_snapshots.hpp"

namespace sluice::source {

struct DepthPoll {
  std::vector<track::QueueReading> readings;  // one per queue, in order
  std::string error;                          // the first error reply (e.g. "NOPERM ..."); empty if none
};

// Sums the LLEN replies of depth_commands(): a queue with any error reply
// (WRONGTYPE, NOPERM) has no depth this time.
DepthPoll sum_depth_replies(const std::vector<std::string>& queues, const std::vector<redis::RedisReply>& replies);

// Work queues named by the binding sets under `keyprefix` (machinery skipped).
asio::awaitable<Expected<std::set<std::string>, std::string>> scan_bound_queues(redis::Connection connection,
                                                                              std::string keyprefix,
                                                                              std::string event_exchange);

// One round trip: LLEN of every depth key of every queue.
asio::awaitable<Expected<DepthPoll, std::string>> read_depths(redis::Connection connection, std::string keyprefix,
                                                              std::vector<std::string> queues);

}  // namespace sluice::source
