#pragma once
// StdoutSink: the dry run (--sink stdout). Writes exactly the event JSON, one
// event per line, nothing else, and flushes after each batch — a documented
// promise to users who pipe it (docs/architecture.md §5).

#include <ostream>

#include "deliver/sink.hpp"

namespace sluice::deliver {

class StdoutSink final : public Sink {
 public:
  explicit StdoutSink(std::ostream& out) : out_(out) {}
  asio::awaitable<SendResult> send(const Batch& batch) override;

 private:
  std::ostream& out_;
};

}  // namespace sluice::deliver
