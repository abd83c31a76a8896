#include "redis/connect_options.hpp"

namespace sluice::redis {

ConnectOptions ConnectOptions::from_settings(const config::Settings& settings) {
  ConnectOptions out;
  out.url = settings.redis;
  out.ca_file = settings.redis_ca_file;
  out.cert_file = settings.redis_cert_file;
  out.key_file = settings.redis_key_file;
  out.connect_timeout = settings.redis_connect_timeout;
  out.command_timeout = settings.redis_connect_timeout;
  out.reply_limits = ReplyLimits::for_messages_up_to(settings.max_message_bytes);
  return out;
}

}  // namespace sluice::redis
