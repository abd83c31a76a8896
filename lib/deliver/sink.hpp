#pragma once
// Sink: where batches go. The Deliverer knows only this narrow interface;
// the HTTPS ingest sink and the stdout dry-run sink implement it.

#include "common/asio.hpp"
#include "deliver/batch.hpp"
#include "deliver/send_result.hpp"

namespace sluice::deliver {

class Sink {
 public:
  virtual ~Sink() = default;

  // One attempt to deliver the batch; never throws, failures are values.
  virtual asio::awaitable<SendResult> send(const Batch& batch) = 0;

  // Aborts an attempt in progress (shutdown deadline); send() then
  // completes with a transport failure.
  virtual void cancel() {}
};

}  // namespace sluice::deliver
