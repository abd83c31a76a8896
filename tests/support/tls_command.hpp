#pragma once
// tls_command: one command to a TLS-only Redis (or sentinel) on loopback,
// for a test's own probes (the test's hiredis has no TLS): sent with
// sluiced's own connection, trusting `ca_file`, AUTH with `password` when
// one is given. Nothing when the server cannot be reached or refused the
// handshake; an error reply is returned as a reply.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "redis/redis_reply.hpp"

namespace sluice::testing {

std::optional<redis::RedisReply> tls_command(std::uint16_t port, const std::string& ca_file,
                                             const std::vector<std::string>& command,
                                             const std::string& password = "");

}  // namespace sluice::testing
