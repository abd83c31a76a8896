#include "config/command_line.hpp"

#include <gtest/gtest.h>

namespace sluice::config {
namespace {

TEST(CommandLine, ReadsBothFlagSpellings) {
  auto line = parse_command_line({"--sink", "stdout", "--log-level=debug"});
  ASSERT_TRUE(line);
  EXPECT_EQ(line->action, Action::run);
  EXPECT_EQ(line->values.at("sink"), "stdout");
  EXPECT_EQ(line->values.at("log-level"), "debug");
}

TEST(CommandLine, BooleanFlagsMayStandAlone) {
  auto line = parse_command_line({"--enable-events", "--sink", "stdout"});
  ASSERT_TRUE(line);
  EXPECT_EQ(line->values.at("enable-events"), "true");
  EXPECT_EQ(line->values.at("sink"), "stdout");
}

TEST(CommandLine, RecognisesActions) {
  EXPECT_EQ(parse_command_line({"--check-config"})->action, Action::check_config);
  EXPECT_EQ(parse_command_line({"--version"})->action, Action::version);
  EXPECT_EQ(parse_command_line({"-h"})->action, Action::help);
  EXPECT_EQ(parse_command_line({"--check-config", "--help"})->action, Action::help);
  EXPECT_EQ(parse_command_line({"--healthcheck"})->action, Action::healthcheck);
}

TEST(CommandLine, RefusesUnknownFlagsAndMissingValues) {
  EXPECT_EQ(parse_command_line({"--colour"}).error(), "unknown flag '--colour'");
  EXPECT_EQ(parse_command_line({"--sink"}).error(), "flag '--sink' needs a value");
  EXPECT_EQ(parse_command_line({"stray"}).error(), "unexpected argument 'stray'");
  EXPECT_FALSE(parse_command_line({"--"}));
}

}  // namespace
}  // namespace sluice::config
