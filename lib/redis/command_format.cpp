#include "redis/command_format.hpp"

#include <hiredis/hiredis.h>

#include <new>

namespace sluice::redis {

std::string format_command(const CommandArgs& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  argv.reserve(args.size());
  lengths.reserve(args.size());
  for (const auto& a : args) {
    argv.push_back(a.data());
    lengths.push_back(a.size());
  }
  char* target = nullptr;
  const int size = redisFormatCommandArgv(&target, static_cast<int>(args.size()), argv.data(), lengths.data());
  if (size < 0 || target == nullptr) throw std::bad_alloc();  // hiredis only fails on OOM
  std::string out(target, static_cast<size_t>(size));
  redisFreeCommand(target);
  return out;
}

std::string format_commands(const std::vector<CommandArgs>& batch) {
  std::string out;
  for (const auto& args : batch) out += format_command(args);
  return out;
}

}  // namespace sluice::redis
