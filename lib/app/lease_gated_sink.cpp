#include "app/lease_gated_sink.hpp"

namespace sluice::app {

asio::awaitable<deliver::SendResult> LeaseGatedSink::send(const deliver::Batch& batch) {
  if (!deadline_.holds(std::chrono::steady_clock::now())) {
    co_return deliver::SendResult::transport_failure("not the leader: the HA lease is not held");
  }
  co_return co_await inner_->send(batch);
}

}  // namespace sluice::app
