#pragma once
// What Redis Sentinel and a monitored node answer, read as values: the
// master's address (SENTINEL get-master-addr-by-name), a node's role (ROLE)
// and a failover announcement (+switch-master). Pure; the replies come from
// outside, so anything unexpected is an error value, never a crash.

#include <optional>
#include <string>
#include <string_view>

#include "common/expected.hpp"
#include "config/url.hpp"
#include "redis/redis_reply.hpp"

namespace sluice::redis {

// The address a sentinel names for the master, or why it named none (an
// unknown master name is a nil reply; an ACL refusal an error reply).
Expected<config::RedisEndpoint, std::string> parse_master_address(const RedisReply& reply);

enum class NodeRole { master, replica, other, unknown };
// ROLE's first element: "master", "slave" (a replica), "sentinel"; unknown
// for an error reply (e.g. an ACL user without +role) or another shape.
NodeRole parse_role(const RedisReply& reply);

// The new address from a +switch-master payload,
// "<master-name> <old-ip> <old-port> <new-ip> <new-port>", when it is about
// `master_name`; nothing for another master or a malformed payload.
std::optional<config::RedisEndpoint> parse_switch_master(std::string_view payload, std::string_view master_name);

}  // namespace sluice::redis
