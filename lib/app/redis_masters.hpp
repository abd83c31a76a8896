#pragma once
// RedisMasters: the Sentinel side of the daemon. For a sentinel:// broker
// URL (and result backend URL) it holds the MasterLocator every connection
// to that Redis shares, and the SentinelWatch that follows failovers; for
// other URLs it holds nothing and costs nothing. A result backend on the
// broker's sentinels shares the broker's locator.

#include <cstdint>
#include <memory>
#include <optional>

#include "common/asio.hpp"
#include "config/settings.hpp"
#include "observe/log.hpp"
#include "observe/metrics.hpp"
#include "redis/master_locator.hpp"
#include "source/sentinel_watch.hpp"

namespace sluice::app {

class RedisMasters {
 public:
  RedisMasters(asio::any_io_executor executor, const config::Settings& settings, observe::Logger& log,
               observe::Metrics& metrics);

  // Null unless the URL is sentinel://.
  std::shared_ptr<redis::MasterLocator> broker() const { return broker_; }
  std::shared_ptr<redis::MasterLocator> result_backend() const { return result_backend_; }

  void start();
  void stop();

 private:
  std::shared_ptr<redis::MasterLocator> broker_;
  std::shared_ptr<redis::MasterLocator> result_backend_;
  std::optional<source::SentinelWatch> broker_watch_;
  std::optional<source::SentinelWatch> result_backend_watch_;
};

// `options` (any stage's, with a `connect` member) following `master`.
template <class Options>
Options following(const std::shared_ptr<redis::MasterLocator>& master, Options options) {
  options.connect.master = master;
  return options;
}

}  // namespace sluice::app
