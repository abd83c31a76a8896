#include "app/redis_masters.hpp"

#include <random>

namespace sluice::app {
namespace {

source::SentinelWatchOptions watch_options(const config::Settings& settings, std::string target) {
  source::SentinelWatchOptions out;
  out.target = std::move(target);
  out.retry_min = settings.reconnect_min;
  out.retry_max = settings.reconnect_max;
  return out;
}

}  // namespace

RedisMasters::RedisMasters(asio::any_io_executor executor, const config::Settings& settings, observe::Logger& log,
                           observe::Metrics& metrics) {
  if (settings.redis.uses_sentinel()) {
    broker_ = std::make_shared<redis::MasterLocator>(redis::SentinelOptions::from_settings(settings, settings.redis));
    broker_watch_.emplace(executor, broker_, watch_options(settings, "broker"), log, metrics, std::random_device{}());
  }
  if (!settings.result_backend || !settings.result_backend->uses_sentinel()) return;
  if (broker_ && settings.result_backend->sentinels == settings.redis.sentinels) {
    result_backend_ = broker_;
    return;
  }
  result_backend_ =
      std::make_shared<redis::MasterLocator>(redis::SentinelOptions::from_settings(settings, *settings.result_backend));
  result_backend_watch_.emplace(executor, result_backend_, watch_options(settings, "result_backend"), log, metrics,
                                std::random_device{}());
}

void RedisMasters::start() {
  if (broker_watch_) broker_watch_->start();
  if (result_backend_watch_) result_backend_watch_->start();
}

void RedisMasters::stop() {
  if (broker_watch_) broker_watch_->stop();
  if (result_backend_watch_) result_backend_watch_->stop();
}

}  // namespace sluice::app
