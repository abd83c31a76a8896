// The channel names against real traffic: the PSUBSCRIBE lines Celery's own
// processes sent (<scenario>.monitor.txt) and the channels they published
// on (<scenario>.channels.tsv), for every channel configuration captured.

#include <fnmatch.h>
#include <gtest/gtest.h>

#include <sstream>

#include "source/channel_names.hpp"
#include "support/test_paths.hpp"
#include "support/test_settings.hpp"

namespace sluice::source {
namespace {

using testing::fixture_path;
using testing::read_file;
using testing::test_settings;

struct Scenario {
  std::string name;
  config::Environment env;
};

const std::vector<Scenario> kScenarios = {
    {"solo", {}},
    {"prefork", {}},
    {"control", {}},
    {"channels-db3", {{"SLUICE_REDIS_URL", "redis://127.0.0.1:6379/3"}}},
    {"channels-fanout-prefix-off", {{"SLUICE_FANOUT_PREFIX", "false"}}},
    {"channels-fanout-patterns-off", {{"SLUICE_FANOUT_PATTERNS", "false"}}},
    {"channels-custom-fanout-prefix", {{"SLUICE_FANOUT_PREFIX", "/app{db}."}}},
    {"channels-global-keyprefix", {{"SLUICE_GLOBAL_KEYPREFIX", "pfx:"}}},
    {"channels-custom-exchanges", {{"SLUICE_EVENT_EXCHANGE", "appev"}, {"SLUICE_CONTROL_EXCHANGE", "appctl"}}},
};

std::vector<std::string> lines(const std::string& path) {
  std::istringstream in(read_file(path));
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::string column(const std::string& line, size_t index) {
  std::istringstream in(line);
  std::string field;
  for (size_t i = 0; i <= index; ++i) std::getline(in, field, '\t');
  return field;
}

// PSUBSCRIBE arguments in the MONITOR log, without the capture tool's "*".
std::vector<std::string> psubscribed(const std::string& scenario) {
  std::vector<std::string> out;
  for (const auto& line : lines(fixture_path("celery-5.2/" + scenario + ".monitor.txt"))) {
    const std::string command = column(line, 2);
    if (command.rfind("PSUBSCRIBE ", 0) == 0 && command != "PSUBSCRIBE *") out.push_back(command.substr(11));
  }
  return out;
}

std::vector<std::string> published_channels(const std::string& scenario) {
  auto rows = lines(fixture_path("celery-5.2/" + scenario + ".channels.tsv"));
  std::vector<std::string> out;
  for (size_t i = 1; i < rows.size(); ++i) out.push_back(column(rows[i], 3));
  return out;
}

// Redis glob semantics: '*' also matches '/' and '.', backslash escapes.
bool matches(const std::string& pattern, const std::string& channel) {
  return fnmatch(pattern.c_str(), channel.c_str(), 0) == 0;
}

int matching_patterns(const ChannelNames& names, const std::string& channel) {
  int n = 0;
  for (const auto& p : names.event_patterns) n += matches(p, channel);
  return n;
}

bool is_event_channel(const std::string& channel) {
  return channel.find(".pidbox") == std::string::npos && channel.rfind("celery-task-meta-", 0) != 0;
}

TEST(ChannelFixtures, KombuPatternsEqualWhatCeleryPsubscribed) {
  for (const auto& s : kScenarios) {
    const auto settings = test_settings(s.env);
    const auto names = channel_names(settings);
    const auto seen = psubscribed(s.name);
    ASSERT_FALSE(seen.empty()) << s.name;
    for (const auto& pattern : seen) {
      const bool pidbox = pattern.find(".pidbox") != std::string::npos;
      if (pidbox) {
        EXPECT_EQ(pattern, names.pidbox_channel) << s.name;
        EXPECT_EQ(pattern, kombu_pattern(settings, settings.control_exchange + ".pidbox", "")) << s.name;
      } else if (pattern.find("worker") != std::string::npos || s.name == "channels-fanout-patterns-off") {
        EXPECT_EQ(pattern, kombu_pattern(settings, settings.event_exchange, "worker.#")) << s.name;  // gossip
      } else {
        // Celery's EventReceiver (binding key '#'): the daemon's first pattern.
        EXPECT_EQ(pattern, kombu_pattern(settings, settings.event_exchange, "#")) << s.name;
        EXPECT_EQ(pattern, names.event_patterns.front()) << s.name;
      }
    }
  }
}

TEST(ChannelFixtures, EveryPublishedEventChannelMatchesExactlyOnePattern) {
  for (const auto& s : kScenarios) {
    const auto names = channel_names(test_settings(s.env));
    const auto channels = published_channels(s.name);
    ASSERT_FALSE(channels.empty()) << s.name;
    for (const auto& channel : channels) {
      if (channel.find(".pidbox") != std::string::npos) {
        EXPECT_EQ(channel, names.pidbox_channel) << s.name;
        EXPECT_EQ(matching_patterns(names, channel), 0) << s.name << ": " << channel;
      } else if (is_event_channel(channel)) {
        EXPECT_EQ(matching_patterns(names, channel), 1) << s.name << ": " << channel;
      } else {
        EXPECT_EQ(matching_patterns(names, channel), 0) << s.name << ": result backend " << channel;
      }
    }
  }
}

TEST(ChannelFixtures, OtherConfigurationsChannelsDoNotMatchTheDefaults) {
  const auto defaults = channel_names(test_settings());
  for (const auto& s : kScenarios) {
    if (s.env.empty() || s.name == "channels-fanout-patterns-off") continue;  // same channels by design
    for (const auto& channel : published_channels(s.name)) {
      EXPECT_EQ(matching_patterns(defaults, channel), 0) << s.name << ": " << channel;
    }
  }
}

}  // namespace
}  // namespace sluice::source
