#pragma once
// HoldingSink: a Sink that answers each request after a delay of its own
// (so that several are in flight, on the test's io_context), with an answer
// the test chooses, and records when each started and ended and the most
// in flight at once.

#include <algorithm>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "common/asio.hpp"
#include "deliver/sink.hpp"

namespace sluice::testing {

class HoldingSink final : public deliver::Sink {
 public:
  using Clock = std::chrono::steady_clock;
  struct Attempt {
    deliver::Batch batch;
    Clock::time_point started;
    Clock::time_point ended;
    deliver::SendResult result;
  };

  explicit HoldingSink(asio::any_io_executor executor) : executor_(std::move(executor)) {}

  std::function<std::chrono::milliseconds(const deliver::Batch&)> hold = [](const deliver::Batch&) {
    return std::chrono::milliseconds(20);
  };
  std::function<deliver::SendResult(const deliver::Batch&)> answer = [](const deliver::Batch&) {
    return deliver::SendResult::answer(202);
  };
  std::vector<Attempt> attempts;
  std::size_t in_flight = 0;
  std::size_t most_in_flight = 0;

  asio::awaitable<deliver::SendResult> send(const deliver::Batch& batch) override {
    const auto started = Clock::now();
    most_in_flight = std::max(most_in_flight, ++in_flight);
    asio::steady_timer timer(executor_, hold(batch));
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    --in_flight;
    deliver::SendResult result = answer(batch);
    attempts.push_back(Attempt{batch, started, Clock::now(), result});
    co_return result;
  }

  std::vector<std::string> accepted() const {
    std::vector<std::string> out;
    for (const auto& a : attempts) {
      if (a.result.status / 100 != 2) continue;
      for (auto& e : a.batch.events()) out.push_back(std::move(e));
    }
    return out;
  }

 private:
  asio::any_io_executor executor_;
};

}  // namespace sluice::testing
