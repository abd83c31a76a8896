#pragma once
// LeaseGatedSink: the last check before a request leaves an HA instance.
// Events are handed to delivery only while the lease holds, but delivery
// sends them later (batching, retries); a process paused past its lease
// (SIGSTOP, a frozen VM) would wake up with requests to send. So every
// attempt first checks the lease on the local steady clock, and without a
// lease sends nothing and answers a transport failure: the batch stays
// queued, in order, and goes out once the lease is held again. When
// another instance took over, the app shuts down and its flush drops what
// is left, counted as dropped{reason="shutdown"}.

#include <memory>

#include "deliver/sink.hpp"
#include "source/leader_lease.hpp"

namespace sluice::app {

class LeaseGatedSink : public deliver::Sink {
 public:
  // `deadline` is read on the delivery thread; it outlives this sink.
  LeaseGatedSink(std::unique_ptr<deliver::Sink> inner, const source::LeaseDeadline& deadline)
      : inner_(std::move(inner)), deadline_(deadline) {}

  asio::awaitable<deliver::SendResult> send(const deliver::Batch& batch) override;
  void cancel() override { inner_->cancel(); }

 private:
  std::unique_ptr<deliver::Sink> inner_;
  const source::LeaseDeadline& deadline_;
};

}  // namespace sluice::app
