#pragma once
// IoThread: an io_context running on a background thread, so a test can
// drive blocking tools (redis-server restarts, PUBLISH) while the code under
// test runs on its event loop — or so a test server (TestIngestServer,
// TestConnectProxy) keeps a loop of its own, apart from the code under test.

#include <chrono>
#include <future>
#include <optional>
#include <thread>

#include "common/asio.hpp"

namespace sluice::testing {

class IoThread {
 public:
  IoThread();
  ~IoThread();  // finish(), then stop whatever is left
  IoThread(const IoThread&) = delete;
  IoThread& operator=(const IoThread&) = delete;

  asio::io_context& context() { return context_; }
  asio::any_io_executor executor() { return context_.get_executor(); }

  // Starts a coroutine on the loop; its result arrives in the future.
  // (std::optional because asio::use_future needs a default-constructible
  // result, which Expected is not.)
  template <class T>
  std::future<std::optional<T>> spawn(asio::awaitable<T> coroutine) {
    auto wrap = [](asio::awaitable<T> inner) -> asio::awaitable<std::optional<T>> {
      co_return co_await std::move(inner);
    };
    return asio::co_spawn(context_, wrap(std::move(coroutine)), asio::use_future);
  }
  // Runs a coroutine on the loop and waits for its result.
  template <class T>
  T run(asio::awaitable<T> coroutine) {
    return std::move(*spawn(std::move(coroutine)).get());
  }
  // Runs `fn` on the loop and waits for its result (an exception it throws
  // is rethrown here). Never call it from the loop's own thread.
  template <class Fn>
  auto call(Fn fn) -> decltype(fn()) {
    std::packaged_task<decltype(fn())()> task(std::move(fn));
    auto result = task.get_future();
    asio::post(context_, [&task] { task(); });
    return result.get();
  }

  // Lets the loop run out of work (everything started has ended), up to
  // `timeout`; false when work was still pending (then the loop is stopped).
  bool finish(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Stops the loop at once, abandoning pending work, and joins the thread.
  void stop();

 private:
  asio::io_context context_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard_;
  std::promise<void> done_;
  std::future<void> done_future_;
  std::thread thread_;
};

}  // namespace sluice::testing
