#include "observe/systemd_notify.hpp"

#include <gtest/gtest.h>

namespace sluice::observe {
namespace {

using std::chrono::microseconds;

TEST(SystemdNotify, Messages) {
  EXPECT_EQ(notify_message(NotifyState::ready), "READY=1");
  EXPECT_EQ(notify_message(NotifyState::watchdog), "WATCHDOG=1");
  EXPECT_EQ(notify_message(NotifyState::stopping), "STOPPING=1");
  EXPECT_EQ(notify_message(NotifyState::ready, "subscribed to 3 patterns"),
            "READY=1\nSTATUS=subscribed to 3 patterns");
  EXPECT_EQ(notify_message(NotifyState::status, "draining"), "STATUS=draining");
}

TEST(SystemdNotify, StatusTextStaysOneAssignment) {
  EXPECT_EQ(notify_message(NotifyState::status, "a\nREADY=1\r"), "STATUS=a READY=1 ");
}

TEST(SystemdNotify, SocketPathsAndAbstractNames) {
  auto path = parse_notify_socket("/run/systemd/notify");
  ASSERT_TRUE(path);
  EXPECT_EQ(path->address, "/run/systemd/notify");
  auto abstract = parse_notify_socket("@sluiced-test");
  ASSERT_TRUE(abstract);
  EXPECT_EQ(abstract->address, std::string("\0sluiced-test", 13));
}

TEST(SystemdNotify, RejectsUnusableSockets) {
  for (std::string_view bad : {"", "@", "relative/path", "vsock:2:1"}) EXPECT_FALSE(parse_notify_socket(bad)) << bad;
  EXPECT_FALSE(parse_notify_socket("/" + std::string(200, 'x')));
}

TEST(SystemdNotify, WatchdogPingsAtHalfThePeriodForThisProcess) {
  EXPECT_EQ(watchdog_period("30000000", "", 42), microseconds(15000000));
  EXPECT_EQ(watchdog_period("30000000", "42", 42), microseconds(15000000));
  EXPECT_FALSE(watchdog_period("30000000", "43", 42));
  EXPECT_FALSE(watchdog_period("", "", 42));
  EXPECT_FALSE(watchdog_period("0", "", 42));
  EXPECT_FALSE(watchdog_period("abc", "", 42));
  EXPECT_FALSE(watchdog_period("30000000", "x", 42));
}

TEST(SystemdNotify, SendingToNothingFailsQuietly) {
  EXPECT_FALSE(send_notify({"/nonexistent/sluiced-notify"}, "READY=1"));
  EXPECT_FALSE(send_notify({""}, "READY=1"));
}

}  // namespace
}  // namespace sluice::observe
