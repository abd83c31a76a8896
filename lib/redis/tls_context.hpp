#pragma once
// The TLS client context for rediss://: peer verification on, the system
// trust store or Settings::redis_ca_file, an optional client certificate.

#include <memory>

#include "common/asio.hpp"
#include <boost/asio/ssl.hpp>

#include "common/expected.hpp"
#include "redis/connect_options.hpp"
#include "redis/redis_error.hpp"

namespace sluice::redis {

Expected<std::shared_ptr<asio::ssl::context>, RedisError> make_tls_context(const ConnectOptions& options);

}  // namespace sluice::redis
