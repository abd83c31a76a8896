#include "redis/handshake.hpp"

#include <string>
#include <variant>

namespace sluice::redis {

std::vector<CommandArgs> handshake_commands(const config::RedisUrl& url, const std::string& client_name) {
  std::vector<CommandArgs> out;
  if (!url.username.empty()) {
    out.push_back({"AUTH", url.username, url.password});
  } else if (!url.password.empty()) {
    out.push_back({"AUTH", url.password});
  }
  if (url.db != 0) out.push_back({"SELECT", std::to_string(url.db)});
  if (!client_name.empty()) out.push_back({"CLIENT", "SETNAME", client_name});
  return out;
}

std::optional<RedisError> check_handshake(const config::RedisUrl& url, const std::vector<CommandArgs>& commands,
                                          const std::vector<RedisReply>& replies) {
  for (size_t i = 0; i < replies.size() && i < commands.size(); ++i) {
    const auto* error = std::get_if<RedisReply::Error>(&replies[i].value);
    if (!error || commands[i].front() == "CLIENT") continue;
    const bool auth = commands[i].front() == "AUTH";
    auto refused = refused_by_server(auth ? "AUTH" : "SELECT " + std::to_string(url.db), error->text,
                                     auth ? "password refused" : "");
    refused.message = redact_secret(std::move(refused.message), url.password);
    return refused;
  }
  return std::nullopt;
}

}  // namespace sluice::redis
