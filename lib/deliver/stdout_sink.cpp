#include "deliver/stdout_sink.hpp"

namespace sluice::deliver {

asio::awaitable<SendResult> StdoutSink::send(const Batch& batch) {
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const std::string_view event = batch.event(i);
    out_.write(event.data(), static_cast<std::streamsize>(event.size()));
    out_.put('\n');
  }
  out_.flush();
  if (!out_) co_return SendResult::transport_failure("writing to stdout failed");
  co_return SendResult::answer(200);
}

}  // namespace sluice::deliver
