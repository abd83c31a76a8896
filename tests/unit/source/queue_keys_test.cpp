#include "source/queue_keys.hpp"

#include <gtest/gtest.h>

#include "source/queue_reads.hpp"

namespace sluice::source {
namespace {

using namespace std::string_literals;
const std::string sep = "\x06\x16"s;

TEST(QueueKeys, ParsesBindingMembers) {
  EXPECT_EQ(parse_binding_member("celery" + sep + sep + "celery"), (Binding{"celery", "", "celery"}));
  EXPECT_EQ(parse_binding_member("rk" + sep + "pat.#" + sep + "q.1"), (Binding{"rk", "pat.#", "q.1"}));
  EXPECT_EQ(parse_binding_member("" + sep + sep + "fanout-q"), (Binding{"", "", "fanout-q"}));
}

TEST(QueueKeys, RejectsMalformedMembers) {
  EXPECT_FALSE(parse_binding_member(""));
  EXPECT_FALSE(parse_binding_member("celery"));
  EXPECT_FALSE(parse_binding_member("a" + sep + "b"));
  EXPECT_FALSE(parse_binding_member("a" + sep + "b" + sep));
  EXPECT_FALSE(parse_binding_member("a" + sep + "b" + sep + "c" + sep + "d"));
}

TEST(QueueKeys, SkipsEventAndControlMachinery) {
  EXPECT_TRUE(is_machinery("celeryev", "celeryev.2f9a8bd6-3b0e-4d2c-9f5e-0c1d2e3f4a5b", "celeryev"));
  EXPECT_TRUE(is_machinery("celeryev", "anything", "celeryev"));
  EXPECT_TRUE(is_machinery("celery.pidbox", "worker1@host.celery.pidbox", "celeryev"));
  EXPECT_TRUE(is_machinery("reply.celery.pidbox", "9b1c1b8e-4a1f-4f55-a0d0-6b1a4bb0a001", "celeryev"));
  EXPECT_TRUE(is_machinery("other", "reply.celery.pidbox", "celeryev"));
  EXPECT_TRUE(is_machinery("x", "celeryev.2f9a8bd6-3b0e-4d2c-9f5e-0c1d2e3f4a5b", "celeryev"));
  EXPECT_TRUE(is_machinery("myev", "anything", "myev"));
  EXPECT_FALSE(is_machinery("celery", "celery", "celeryev"));
  EXPECT_FALSE(is_machinery("celery", "celeryev.not-a-uuid", "celeryev"));
  EXPECT_FALSE(is_machinery("default", "replies", "celeryev"));
}

TEST(QueueKeys, ScanPatternEscapesGlobCharactersOfThePrefix) {
  EXPECT_EQ(binding_scan_pattern(""), "_kombu.binding.*");
  EXPECT_EQ(binding_scan_pattern("app1:"), "app1:_kombu.binding.*");
  EXPECT_EQ(binding_scan_pattern("a*b?[c]\\"), "a\\*b\\?\\[c\\]\\\\_kombu.binding.*");
}

TEST(QueueKeys, BindingExchangeComesFromTheKeyUnderThePrefix) {
  EXPECT_EQ(binding_exchange("_kombu.binding.celery", ""), "celery");
  EXPECT_EQ(binding_exchange("p:_kombu.binding.celery.pidbox", "p:"), "celery.pidbox");
  EXPECT_FALSE(binding_exchange("_kombu.binding.celery", "p:"));
  EXPECT_FALSE(binding_exchange("p:celery", "p:"));
}

TEST(QueueKeys, DepthKeysAreTheQueueAndItsPrioritySubLists) {
  EXPECT_EQ(depth_keys("", "celery"),
            (std::vector<std::string>{"celery", "celery" + sep + "3", "celery" + sep + "6", "celery" + sep + "9"}));
  EXPECT_EQ(depth_keys("p:", "q")[0], "p:q");
  EXPECT_EQ(depth_keys("p:", "q")[3], "p:q" + sep + "9");
}

TEST(QueueKeys, DepthCommandsAreOneLlenPerKeyInQueueOrder) {
  const auto batch = depth_commands("p:", {"a", "b"});
  ASSERT_EQ(batch.size(), 8u);
  EXPECT_EQ(batch[0], (redis::CommandArgs{"LLEN", "p:a"}));
  EXPECT_EQ(batch[4], (redis::CommandArgs{"LLEN", "p:b"}));
  EXPECT_EQ(batch[7], (redis::CommandArgs{"LLEN", "p:b" + sep + "9"}));
}

TEST(QueueKeys, DepthSumsAllPriorityListsAndDropsQueuesWithErrorReplies) {
  using R = redis::RedisReply;
  const std::vector<R> replies = {R::integer(2), R::integer(0), R::integer(1), R::integer(4),
                                  R::integer(1), R::error("WRONGTYPE Operation against a key"), R::integer(0),
                                  R::integer(0)};
  const auto poll = sum_depth_replies({"a", "b"}, replies);
  ASSERT_EQ(poll.readings.size(), 2u);
  EXPECT_EQ(poll.readings[0].name, "a");
  EXPECT_EQ(poll.readings[0].depth, 7);
  EXPECT_EQ(poll.readings[1].name, "b");
  EXPECT_FALSE(poll.readings[1].depth);
  EXPECT_EQ(poll.error, "WRONGTYPE Operation against a key");
}

TEST(QueueKeys, MissingRepliesAreAnError) {
  const auto poll = sum_depth_replies({"a"}, {redis::RedisReply::integer(1)});
  EXPECT_FALSE(poll.readings[0].depth);
  EXPECT_FALSE(poll.error.empty());
}

}  // namespace
}  // namespace sluice::source
