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

void IoThread::call(std::function<void()> function) {
  std::promise<void> ran;
  asio::post(context_, [&] {
    function();
    ran.set_value();
  });
  ran.get_future().wait();
}

bool IoThread::finish(std::chrono::milliseconds timeout) {
  guard_.reset();
  const bool idle = done_future_.wait_for(timeout) == std::future_status::ready;
  if (!idle) context_.stop();
  thread_.join();
  return idle;
}

}  // namespace sluice::testing
