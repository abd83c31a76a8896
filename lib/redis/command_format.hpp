#pragma once
// Turns command arguments into RESP bytes with hiredis'
// redisFormatCommandArgv (binary-safe: arguments may hold any byte).

#include <string>
#include <vector>

namespace sluice::redis {

using CommandArgs = std::vector<std::string>;

// One command, e.g. {"PUBLISH", channel, payload}.
std::string format_command(const CommandArgs& args);

// Several commands back to back, sent in one write (pipelining).
std::string format_commands(const std::vector<CommandArgs>& batch);

}  // namespace sluice::redis
