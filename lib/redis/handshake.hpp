#pragma once
// What a fresh connection sends before it is used (AUTH, SELECT) and how the
// replies are judged. Pure, so the rules are tested without a server.

#include <optional>
#include <vector>

#include "config/url.hpp"
#include "redis/command_format.hpp"
#include "redis/redis_error.hpp"
#include "redis/redis_reply.hpp"

namespace sluice::redis {

// AUTH [user] password when a password or user is set; SELECT db when db != 0
// (the db matters for LLEN and keys; pub/sub ignores it); CLIENT SETNAME
// when a name is given (shows in CLIENT LIST, for operators).
std::vector<CommandArgs> handshake_commands(const config::RedisUrl& url, const std::string& client_name);

// The first AUTH or SELECT error among the replies, as an auth error whose
// message names the command but never the password. A refused CLIENT
// SETNAME (an ACL user without +client) does not matter.
std::optional<RedisError> check_handshake(const config::RedisUrl& url, const std::vector<CommandArgs>& commands,
                                          const std::vector<RedisReply>& replies);

}  // namespace sluice::redis
