#include "observe/systemd_notifier.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <thread>

#include "support/notify_socket.hpp"

namespace sluice::observe {
namespace {

using testing::NotifySocket;

TEST(SystemdNotifier, ReadyStatusAndStoppingReachThePathSocket) {
  NotifySocket socket;
  ASSERT_TRUE(socket.ok());
  SystemdNotifier notifier({socket.address(), "", ""});
  ASSERT_TRUE(notifier.enabled());
  EXPECT_TRUE(notifier.ready("subscribed"));
  EXPECT_EQ(socket.receive(), "READY=1\nSTATUS=subscribed");
  EXPECT_TRUE(notifier.status("draining 12 events"));
  EXPECT_EQ(socket.receive(), "STATUS=draining 12 events");
  EXPECT_TRUE(notifier.stopping());
  EXPECT_EQ(socket.receive(), "STOPPING=1");
}

TEST(SystemdNotifier, AbstractNamespaceSocket) {
  NotifySocket socket(NotifySocket::Kind::abstract);
  ASSERT_TRUE(socket.ok());
  ASSERT_EQ(socket.address().front(), '@');
  SystemdNotifier notifier({socket.address(), "", ""});
  EXPECT_TRUE(notifier.ready());
  EXPECT_EQ(socket.receive(), "READY=1");
}

TEST(SystemdNotifier, ReadsNotifySocketFromTheProcessEnvironment) {
  NotifySocket socket;
  ASSERT_TRUE(socket.ok());
  ::setenv("NOTIFY_SOCKET", socket.address().c_str(), 1);
  SystemdNotifier notifier(NotifyEnvironment::from_process());
  ::unsetenv("NOTIFY_SOCKET");
  EXPECT_TRUE(notifier.ready());
  EXPECT_EQ(socket.receive(), "READY=1");
}

TEST(SystemdNotifier, WithoutSystemdEverythingIsANoOp) {
  SystemdNotifier notifier({"", "30000000", ""});
  EXPECT_FALSE(notifier.enabled());
  EXPECT_FALSE(notifier.ready());
  EXPECT_FALSE(notifier.stopping());
  asio::io_context io;
  notifier.start_watchdog(io.get_executor());
  EXPECT_EQ(io.poll(), 0u);  // nothing scheduled
}

TEST(SystemdNotifier, WatchdogPingsFromTheLoopUntilStopping) {
  NotifySocket socket;
  ASSERT_TRUE(socket.ok());
  asio::io_context io;
  SystemdNotifier notifier({socket.address(), "20000", std::to_string(::getpid())});
  ASSERT_EQ(notifier.watchdog_period(), std::chrono::microseconds(10000));
  auto work = asio::make_work_guard(io);
  std::thread loop([&] { io.run(); });
  asio::post(io, [&] { notifier.start_watchdog(io.get_executor()); });
  for (int i = 0; i < 3; ++i) EXPECT_EQ(socket.receive(), "WATCHDOG=1") << "ping " << i;
  asio::post(io, [&] { notifier.stopping(); });
  std::optional<std::string> message;
  do {
    message = socket.receive();  // pings sent before stopping() may still be queued
  } while (message == "WATCHDOG=1");
  EXPECT_EQ(message, "STOPPING=1");
  work.reset();
  loop.join();  // returns: stopping() left no timer pending
}

TEST(SystemdNotifier, WatchdogForAnotherPidIsIgnored) {
  NotifySocket socket;
  SystemdNotifier notifier({socket.address(), "20000", std::to_string(::getpid() + 1)});
  EXPECT_TRUE(notifier.enabled());
  EXPECT_FALSE(notifier.watchdog_period());
}

}  // namespace
}  // namespace sluice::observe
