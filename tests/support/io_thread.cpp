#include "support/io_thread.hpp"

namespace sluice::testing {

IoThread::IoThread() : guard_(asio::make_work_guard(context_)), done_future_(done_.get_future()) {
  thread_ = std::thread([this] {
    context_.run();
    done_.set_value();
  });
}

IoThread::~IoThread() {
  if (thread_.joinable()) finish(std::chrono::seconds(5));
}

bool IoThread::finish(std::chrono::milliseconds timeout) {
  if (!thread_.joinable()) return true;
  guard_.reset();
  const bool idle = done_future_.wait_for(timeout) == std::future_status::ready;
  if (!idle) context_.stop();
  thread_.join();
  return idle;
}

void IoThread::stop() {
  if (!thread_.joinable()) return;
  guard_.reset();
  context_.stop();
  thread_.join();
}

}  // namespace sluice::testing
