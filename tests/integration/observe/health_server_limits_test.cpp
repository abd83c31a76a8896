// The health server under abuse: floods beyond the connection cap, clients
// that never finish a request, and a stop with connections still open.
#include <gtest/gtest.h>

#include <vector>

#include "integration/observe/live_health_server.hpp"
#include "support/wait_until.hpp"
#include "support/http_probe.hpp"

namespace sluice::observe {
namespace {

using namespace std::chrono_literals;
using testing::wait_until;
using testing::TestConnection;

constexpr const char* kGetHealth = "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

TEST(HealthServerLimits, ABurstBeyondTheCapKeepsTheNewestAndLeavesNothingBehind) {
  HealthServerLimits limits;
  limits.max_connections = 4;
  limits.idle_timeout = 60s;  // the held connections must not time out during the test
  limits.timeout = 60s;
  LiveHealthServer live(limits);
  live.set_report(healthy_report());
  constexpr int kClients = 60;
  std::vector<TestConnection> clients;
  for (int i = 0; i < kClients; ++i) {
    auto c = TestConnection::open(live.port());
    ASSERT_TRUE(c) << "connect " << i;
    clients.push_back(std::move(*c));
  }
  // None has sent a request: each newcomer takes the slot of the oldest.
  ASSERT_TRUE(wait_until([&] { return live.sample("sluiced_health_connections_evicted_total") == kClients - 4; }));
  EXPECT_EQ(live.open_connections(), 4u);
  EXPECT_EQ(live.sample("sluiced_health_connections_refused_total"), 0);

  std::vector<int> answered;
  for (int i = 0; i < kClients; ++i) {
    clients[i].send(kGetHealth);  // may fail on a closed connection: that is the point
    auto reply = testing::parse_http_reply(clients[i].read_until_closed());
    if (reply && reply->status == 200) answered.push_back(i);
    clients[i].close();  // the server lingers until the client closes too
  }
  EXPECT_EQ(answered, (std::vector<int>{kClients - 4, kClients - 3, kClients - 2, kClients - 1}));
  EXPECT_TRUE(wait_until([&] { return live.open_connections() == 0; }));
  EXPECT_EQ(testing::http_get(live.port(), "/health").status, 200);  // still serving afterwards
}

// The report of the old issue: 32 idle connections, then 100 probes that
// all went unanswered.
TEST(HealthServerLimits, IdleConnectionsAtTheCapDoNotStarveProbes) {
  HealthServerLimits limits;
  limits.idle_timeout = 60s;
  limits.timeout = 60s;
  LiveHealthServer live(limits);
  live.set_report(healthy_report());
  std::vector<TestConnection> idle;
  for (std::size_t i = 0; i < limits.max_connections; ++i) idle.push_back(*TestConnection::open(live.port()));
  ASSERT_TRUE(wait_until([&] { return live.open_connections() == limits.max_connections; }));
  int answered = 0;
  for (int probe = 0; probe < 100; ++probe) answered += testing::http_get(live.port(), "/health").status == 200;
  EXPECT_EQ(answered, 100);
}

TEST(HealthServerLimits, AConnectionSendingNothingIsClosedAfterTheIdleTimeout) {
  HealthServerLimits limits;
  limits.idle_timeout = 200ms;
  limits.timeout = 60s;  // a request in progress would have this long
  LiveHealthServer live(limits);
  auto client = TestConnection::open(live.port());
  ASSERT_TRUE(client);
  EXPECT_TRUE(client->wait_closed());
  EXPECT_TRUE(wait_until([&] { return live.open_connections() == 0; }));
}

HealthServerLimits with_timeout(Duration timeout) {
  HealthServerLimits limits;
  limits.idle_timeout = timeout;
  limits.timeout = timeout;
  return limits;
}

// A server that gives each request head 200 ms, and one client connected to it.
struct ShortTimeout : ::testing::Test {
  LiveHealthServer live{with_timeout(200ms)};
  std::optional<TestConnection> client = TestConnection::open(live.port());
};

TEST_F(ShortTimeout, SlowLorisIsClosedByTheTimeout) {
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->send("GET /health HTTP/1.1\r\nHost: x\r\n"));  // never finished
  EXPECT_TRUE(client->wait_closed());
  EXPECT_TRUE(wait_until([&] { return live.open_connections() == 0; }));
}

TEST_F(ShortTimeout, TricklingBytesDoesNotExtendTheTimeout) {
  ASSERT_TRUE(client);
  client->send("GET /health HTTP/1.1\r\n");
  // One header byte every 20 ms would take minutes to fill the header limit;
  // the deadline covers the whole head, so the server hangs up long before.
  int sent = 0;
  while (sent < 8000 && client->send("a")) {
    ++sent;
    if (client->wait_closed(20ms)) break;
  }
  EXPECT_LT(sent, 8000);
  EXPECT_TRUE(wait_until([&] { return live.open_connections() == 0; }));
}

TEST_F(ShortTimeout, IdleConnectionNeverSendingIsClosed) {
  ASSERT_TRUE(client);
  EXPECT_TRUE(client->wait_closed());
}

TEST(HealthServerLimits, StopClosesOpenConnections) {
  LiveHealthServer live(with_timeout(60s));
  auto c = TestConnection::open(live.port());
  ASSERT_TRUE(c);
  ASSERT_TRUE(wait_until([&] { return live.open_connections() == 1; }));
  live.on_loop([&] { live.server().stop(); });
  EXPECT_TRUE(c->wait_closed());
  EXPECT_FALSE(TestConnection::open(live.port()));  // no longer listening
}

}  // namespace
}  // namespace sluice::observe
