#pragma once
// ServerThread: an io_context running on its own thread for a test server,
// so the code under test keeps its own io_context and thread.

#include <future>
#include <thread>

#include "deliver/beast.hpp"

namespace sluice::testing {

class ServerThread {
 public:
  ServerThread() : work_(asio::make_work_guard(io_)), thread_([this] { io_.run(); }) {}
  ~ServerThread() { stop(); }
  ServerThread(const ServerThread&) = delete;
  ServerThread& operator=(const ServerThread&) = delete;

  asio::io_context& io() { return io_; }

  // Runs `fn` on the server thread and waits for its result. Never call it
  // from the server thread itself.
  template <class Fn>
  auto call(Fn fn) -> decltype(fn()) {
    std::packaged_task<decltype(fn())()> task(std::move(fn));
    auto result = task.get_future();
    asio::post(io_, [&task] { task(); });
    return result.get();
  }

  void stop() {
    work_.reset();
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }

 private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::thread thread_;
};

}  // namespace sluice::testing
