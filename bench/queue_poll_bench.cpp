// queue_poll_bench: how long one queue depth poll (LLEN of 4 keys per
// queue, pipelined in one round trip) and one binding scan take.
//
//   build/bench/queue_poll_bench PORT [queues]   (default 2 000 queues)
//
// Needs a throwaway redis-server on 127.0.0.1:PORT: db 15 is flushed and
// filled with `queues` bound queues holding a few messages each.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "common/asio.hpp"
#include "redis/connection.hpp"
#include "source/queue_keys.hpp"
#include "source/queue_reads.hpp"

namespace {

using namespace sluice;
using Clock = std::chrono::steady_clock;

double millis(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

asio::awaitable<void> fill(redis::Connection& c, int queues) {
  std::vector<redis::CommandArgs> batch = {{"FLUSHDB"}};
  for (int i = 0; i < queues; ++i) {
    const std::string q = "queue-" + std::to_string(i);
    batch.push_back({"SADD", "_kombu.binding." + q, q + "\x06\x16\x06\x16" + q});
    batch.push_back({"RPUSH", q, "m1", "m2"});
    batch.push_back({"RPUSH", q + "\x06\x16" "9", "m3"});
  }
  auto done = co_await c.commands(std::move(batch));
  if (!done) std::fprintf(stderr, "fill failed\n");
}

}  // namespace

// Outside the anonymous namespace: with internal linkage g++ 12 reports a
// false -Wmismatched-new-delete on the coroutine frame.
asio::awaitable<void> run_bench(asio::any_io_executor ex, std::uint16_t port, int queues) {
  redis::ConnectOptions o;
  o.url.host = "127.0.0.1";
  o.url.port = port;
  o.url.db = 15;
  o.command_timeout = Duration{60'000};
  auto c = co_await redis::Connection::open(ex, o);
  if (!c) {
    std::fprintf(stderr, "cannot connect to 127.0.0.1:%u\n", port);
    co_return;
  }
  co_await fill(*c, queues);
  auto t0 = Clock::now();
  auto found = co_await source::scan_bound_queues(*c, "", "celeryev");
  const auto scan_time = Clock::now() - t0;
  if (!found) co_return;
  std::vector<std::string> names(found->begin(), found->end());
  constexpr int kRounds = 50;
  Clock::duration best = Clock::duration::max(), total{};
  long long depth = 0;
  for (int r = 0; r < kRounds; ++r) {
    t0 = Clock::now();
    auto poll = co_await source::read_depths(*c, "", names);
    const auto took = Clock::now() - t0;
    if (!poll) co_return;
    best = std::min(best, took);
    total += took;
    depth = 0;
    for (const auto& reading : poll->readings) depth += reading.depth.value_or(0);
  }
  std::printf("queues=%zu total_depth=%lld scan_ms=%.2f poll_ms_best=%.2f poll_ms_mean=%.2f\n", names.size(), depth,
              millis(scan_time), millis(best), millis(total) / kRounds);
}

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s PORT [queues]\n", argv[0]);
    return 2;
  }
  const auto port = static_cast<std::uint16_t>(std::atoi(argv[1]));
  const int queues = argc > 2 ? std::atoi(argv[2]) : 2000;
  asio::io_context io;
  asio::co_spawn(io, run_bench(io.get_executor(), port, queues), asio::detached);
  io.run();
}
