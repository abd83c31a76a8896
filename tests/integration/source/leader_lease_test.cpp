// LeaderLease against a real redis-server: exactly one of two instances
// leads; a standby takes over when the leader stops renewing or releases;
// a leader finds out when another instance holds the key; and a process
// paused past its lease holds nothing the moment it wakes, before any reply.

#include "source/leader_lease.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <sstream>
#include <thread>

#include "support/blocking_redis.hpp"
#include "support/io_thread.hpp"
#include "support/redis_server.hpp"
#include "support/wait_until.hpp"

namespace sluice::source {
namespace {

using namespace std::chrono_literals;
using testing::BlockingRedis;
using testing::IoThread;
using testing::RedisServer;
using testing::wait_until;
using Clock = std::chrono::steady_clock;

constexpr const char* kKey = "sluiced:leader:test";

// One instance: its lease on a loop of its own, as in its own process.
class Instance {
 public:
  Instance(const RedisServer& server, std::string id, Duration lease = 900ms)
      : log_(log_stream_, observe::Level::debug, observe::Format::text) {
    LeaseOptions options;
    options.connect.url = server.tcp_url();
    options.connect.connect_timeout = 2s;
    options.connect.command_timeout = 2s;
    options.connect.client_name = "lease-" + id;
    options.key = kKey;
    options.instance_id = std::move(id);
    options.lease = lease;
    lease_ = std::make_unique<LeaderLease>(io_.executor(), options, log_, metrics_,
                                           LeaderLease::Handlers{[this] { ++became_leader_; }, [this] { ++lost_; }});
    io_.call([this] {
      metrics_.adopt_current_thread();
      lease_->start();
    });
  }
  ~Instance() { stop(); }

  void stop() {
    if (stopped_) return;
    stopped_ = true;
    lease_->stop();
    io_.finish();
  }
  void release() {
    lease_->stop();
    io_.run(released());
    stopped_ = true;
    io_.finish();
  }

  bool leads() { return io_.call([this] { return lease_->role() == LeaseRole::leader && lease_->holds(Clock::now()); }); }
  bool standby() { return io_.call([this] { return lease_->role() == LeaseRole::standby; }); }
  int became_leader() const { return became_leader_; }
  int lost() const { return lost_; }
  IoThread& io() { return io_; }
  LeaderLease& lease() { return *lease_; }

 private:
  asio::awaitable<bool> released() {
    co_await lease_->release();
    co_return true;
  }

  IoThread io_;
  std::ostringstream log_stream_;
  observe::Logger log_;
  observe::Metrics metrics_;
  std::unique_ptr<LeaderLease> lease_;
  std::atomic<int> became_leader_{0};
  std::atomic<int> lost_{0};
  bool stopped_ = false;
};

std::string holder(BlockingRedis& redis) {
  const auto reply = redis.command({"GET", kKey});
  return reply.text() ? *reply.text() : "";
}

// The last command of the connection named `name` (CLIENT LIST), or "".
std::string last_command(BlockingRedis& redis, const std::string& name) {
  const auto list = redis.command({"CLIENT", "LIST"});
  std::istringstream in(list.text() ? *list.text() : "");
  for (std::string line; std::getline(in, line);) {
    if (line.find(" name=" + name + " ") == std::string::npos) continue;
    const auto start = line.find(" cmd=");
    if (start == std::string::npos) return "";
    return line.substr(start + 5, line.find(' ', start + 5) - start - 5);
  }
  return "";
}

TEST(LeaderLease, ExactlyOneOfTwoLeadsAndTheKeyNamesIt) {
  RedisServer server;
  BlockingRedis redis("127.0.0.1", server.port());
  Instance a(server, "a");
  ASSERT_TRUE(wait_until([&] { return a.leads(); }));
  Instance b(server, "b");
  // b has run its claim script (its connection's last command) and found a's lease.
  ASSERT_TRUE(wait_until([&] { return last_command(redis, "lease-b") == "eval"; }));
  EXPECT_TRUE(a.leads());
  EXPECT_TRUE(b.standby());
  EXPECT_EQ(b.became_leader(), 0);
  EXPECT_EQ(holder(redis), "a");
  EXPECT_EQ(a.became_leader(), 1);  // renewals are not takeovers
}

TEST(LeaderLease, StandbyTakesOverWhenTheLeaderStopsRenewing) {
  RedisServer server;
  BlockingRedis redis("127.0.0.1", server.port());
  Instance a(server, "a");
  ASSERT_TRUE(wait_until([&] { return a.leads(); }));
  Instance b(server, "b");
  a.stop();  // as if killed: the key stays until its TTL ends
  ASSERT_TRUE(wait_until([&] { return b.leads(); }));
  EXPECT_EQ(holder(redis), "b");
  EXPECT_EQ(b.became_leader(), 1);
}

TEST(LeaderLease, ReleaseHandsOverWithoutWaitingForTheTtl) {
  RedisServer server;
  BlockingRedis redis("127.0.0.1", server.port());
  Instance a(server, "a", 3s);
  ASSERT_TRUE(wait_until([&] { return a.leads(); }));
  Instance b(server, "b", 3s);
  ASSERT_TRUE(wait_until([&] { return last_command(redis, "lease-b") == "eval"; }));
  a.release();
  EXPECT_NE(holder(redis), "a");  // gone now (or b's already), not when its TTL ends
  ASSERT_TRUE(wait_until([&] { return b.leads(); }));
  EXPECT_EQ(holder(redis), "b");
}

TEST(LeaderLease, ReleaseLeavesAnotherHoldersKeyAlone) {
  RedisServer server;
  BlockingRedis redis("127.0.0.1", server.port());
  Instance a(server, "a", 60s);
  ASSERT_TRUE(wait_until([&] { return a.leads(); }));
  redis.command({"SET", kKey, "someone-else", "PX", "60000"});
  a.release();
  EXPECT_EQ(holder(redis), "someone-else");
}

TEST(LeaderLease, LeaderThatFindsAnotherHolderStopsAtOnce) {
  RedisServer server;
  BlockingRedis redis("127.0.0.1", server.port());
  Instance a(server, "a");
  ASSERT_TRUE(wait_until([&] { return a.leads(); }));
  redis.command({"SET", kKey, "someone-else", "PX", "60000"});
  ASSERT_TRUE(wait_until([&] { return a.lost() == 1; }));
  EXPECT_FALSE(a.leads());
  EXPECT_TRUE(a.standby());
  EXPECT_EQ(holder(redis), "someone-else");
}

// A paused process (here: its loop blocked past the lease) holds nothing the
// moment it runs again, whatever the last reply said.
TEST(LeaderLease, PausedPastTheLeaseHoldsNothingOnWaking) {
  RedisServer server;
  Instance a(server, "a");
  ASSERT_TRUE(wait_until([&] { return a.leads(); }));
  const bool held_on_waking = a.io().call([&] {
    std::this_thread::sleep_for(900ms);  // the whole lease: the deadline (lease minus margin) is past
    return a.lease().holds(Clock::now());
  });
  EXPECT_FALSE(held_on_waking);
}

TEST(LeaderLease, RedisUnreachableCountsErrorsAndHoldsNothingOnceTheLeaseRanOut) {
  auto server = std::make_unique<RedisServer>();
  Instance a(*server, "a");
  ASSERT_TRUE(wait_until([&] { return a.leads(); }));
  server.reset();
  ASSERT_TRUE(wait_until([&] { return !a.leads(); }));
  EXPECT_EQ(a.lost(), 0);  // nobody else holds it: still this instance's to renew
}

}  // namespace
}  // namespace sluice::source
