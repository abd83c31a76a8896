#include "source/channel_names.hpp"

#include <gtest/gtest.h>

#include "support/test_settings.hpp"

namespace sluice::source {
namespace {

using testing::test_settings;

struct Case {
  const char* name;
  config::Environment env;
  std::vector<std::string> event_patterns;
  std::string pidbox_channel;
};

// docs/celery-protocol.md §2.1 table, plus the daemon's second pattern.
const std::vector<Case> kTable = {
    {"defaults", {}, {"/0.celeryev/*", "/0.celeryev"}, "/0.celery.pidbox"},
    {"db3", {{"SLUICE_REDIS_URL", "redis://127.0.0.1:6379/3"}}, {"/3.celeryev/*", "/3.celeryev"}, "/3.celery.pidbox"},
    {"unix db5", {{"SLUICE_REDIS_URL", "unix:///run/redis.sock?db=5"}}, {"/5.celeryev/*", "/5.celeryev"},
     "/5.celery.pidbox"},
    {"fanout_prefix false", {{"SLUICE_FANOUT_PREFIX", "false"}}, {"celeryev/*", "celeryev"}, "celery.pidbox"},
    {"fanout_prefix FALSE", {{"SLUICE_FANOUT_PREFIX", "FALSE"}}, {"celeryev/*", "celeryev"}, "celery.pidbox"},
    {"fanout_patterns false", {{"SLUICE_FANOUT_PATTERNS", "false"}}, {"/0.celeryev", "/0.celeryev/*"},
     "/0.celery.pidbox"},
    {"custom fanout_prefix", {{"SLUICE_FANOUT_PREFIX", "/app{db}."}}, {"/app0.celeryev/*", "/app0.celeryev"},
     "/app0.celery.pidbox"},
    {"custom fanout_prefix, db 2, two {db}",
     {{"SLUICE_FANOUT_PREFIX", "{db}/{db}:"}, {"SLUICE_REDIS_URL", "redis://h/2"}},
     {"2/2:celeryev/*", "2/2:celeryev"}, "2/2:celery.pidbox"},
    {"global_keyprefix", {{"SLUICE_GLOBAL_KEYPREFIX", "pfx:"}}, {"pfx:/0.celeryev/*", "pfx:/0.celeryev"},
     "pfx:/0.celery.pidbox"},
    {"custom exchanges", {{"SLUICE_EVENT_EXCHANGE", "appev"}, {"SLUICE_CONTROL_EXCHANGE", "appctl"}},
     {"/0.appev/*", "/0.appev"}, "/0.appctl.pidbox"},
    {"everything", {{"SLUICE_GLOBAL_KEYPREFIX", "k:"}, {"SLUICE_FANOUT_PREFIX", "false"},
                    {"SLUICE_FANOUT_PATTERNS", "false"}, {"SLUICE_EVENT_EXCHANGE", "ev"}},
     {"k:ev", "k:ev/*"}, "k:celery.pidbox"},
    // Glob characters in a prefix are escaped in patterns, kept in the channel.
    {"glob characters in the key prefix", {{"SLUICE_GLOBAL_KEYPREFIX", "a*[b]?\\:"}},
     {"a\\*\\[b\\]\\?\\\\:/0.celeryev/*", "a\\*\\[b\\]\\?\\\\:/0.celeryev"}, "a*[b]?\\:/0.celery.pidbox"},
};

TEST(ChannelNames, ReproducesTheProtocolTable) {
  for (const auto& c : kTable) {
    const auto names = channel_names(test_settings(c.env));
    EXPECT_EQ(names.event_patterns, c.event_patterns) << c.name;
    EXPECT_EQ(names.pidbox_channel, c.pidbox_channel) << c.name;
  }
}

// kombu's Sentinel transport before 5.4.0 left {db} as it was; 5.4.0 fills it in.
TEST(ChannelNames, SentinelCoversBothKombuSpellings) {
  const config::Environment sentinel{{"SLUICE_REDIS_URL", "sentinel://127.0.0.1:26379/2"},
                                     {"SLUICE_REDIS_SENTINEL_MASTER", "mymaster"}};
  const auto names = channel_names(test_settings(sentinel));
  EXPECT_EQ(names.event_patterns,
            (std::vector<std::string>{"/2.celeryev/*", "/2.celeryev", "/{db}.celeryev/*", "/{db}.celeryev"}));
  EXPECT_EQ(names.pidbox_channel, "/2.celery.pidbox");
  EXPECT_EQ(names.pidbox_channels, (std::vector<std::string>{"/2.celery.pidbox", "/{db}.celery.pidbox"}));

  auto custom = sentinel;
  custom["SLUICE_FANOUT_PREFIX"] = "app{db}:";
  custom["SLUICE_GLOBAL_KEYPREFIX"] = "k{db}:";  // the user's text, never filled in
  EXPECT_EQ(channel_names(test_settings(custom)).pidbox_channels,
            (std::vector<std::string>{"k{db}:app2:celery.pidbox", "k{db}:app{db}:celery.pidbox"}));

  auto no_placeholder = sentinel;
  no_placeholder["SLUICE_FANOUT_PREFIX"] = "false";  // one spelling only: nothing doubled
  EXPECT_EQ(channel_names(test_settings(no_placeholder)).event_patterns,
            (std::vector<std::string>{"celeryev/*", "celeryev"}));
  // Without Sentinel the literal spelling never occurs.
  EXPECT_EQ(channel_names(test_settings()).pidbox_channels, (std::vector<std::string>{"/0.celery.pidbox"}));
}

TEST(ChannelNames, PublishChannelFollowsFanoutPatterns) {
  EXPECT_EQ(publish_channel(test_settings(), "celeryev", "worker.heartbeat"), "/0.celeryev/worker.heartbeat");
  EXPECT_EQ(publish_channel(test_settings(), "celery.pidbox", ""), "/0.celery.pidbox");
  EXPECT_EQ(publish_channel(test_settings({{"SLUICE_FANOUT_PATTERNS", "false"}}), "celeryev", "task.multi"),
            "/0.celeryev");
}

TEST(ChannelNames, KombuPatternTurnsHashIntoStar) {
  EXPECT_EQ(kombu_pattern(test_settings(), "celeryev", "#"), "/0.celeryev/*");
  EXPECT_EQ(kombu_pattern(test_settings(), "celeryev", "worker.#"), "/0.celeryev/worker.*");
  EXPECT_EQ(kombu_pattern(test_settings({{"SLUICE_FANOUT_PATTERNS", "false"}}), "celeryev", "#"), "/0.celeryev");
}

TEST(ChannelNames, EscapeGlob) {
  EXPECT_EQ(escape_glob("plain/0.x"), "plain/0.x");
  EXPECT_EQ(escape_glob("*?[]\\"), "\\*\\?\\[\\]\\\\");
}

}  // namespace
}  // namespace sluice::source
