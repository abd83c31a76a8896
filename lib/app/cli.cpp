#include "app/cli.hpp"

#include <iostream>

#include "app/daemon.hpp"
#include "config/command_line.hpp"
#include "config/render.hpp"

namespace sluice::app {
namespace {

void print_problems(const config::LoadResult& result, std::ostream& err) {
  for (const auto& warning : result.warnings) err << "sluiced: warning: " << warning << "\n";
  if (result.ok()) return;
  err << "sluiced: invalid configuration (" << result.errors.size()
      << (result.errors.size() == 1 ? " problem" : " problems") << "):\n";
  for (const auto& error : result.errors) err << "  " << error << "\n";
}

}  // namespace

int handle_command_line(const std::vector<std::string>& args, const config::Environment& env,
                        CliStreams streams, config::Settings& settings_out) {
  auto line = config::parse_command_line(args);
  if (!line) {
    streams.err << "sluiced: " << line.error() << "\n" << config::usage_text();
    return kExitUsage;
  }
  switch (line->action) {
    case config::Action::help:
      streams.out << config::help_text();
      return kExitOk;
    case config::Action::version:
      streams.out << "sluiced " SLUICE_VERSION "\n";
      return kExitOk;
    case config::Action::print_env_example:
      streams.out << config::env_example_text();
      return kExitOk;
    default:
      break;
  }
  auto result = config::load_settings(*line, env);
  if (line->action == config::Action::check_config) {
    streams.out << config::effective_config_text(result);
    print_problems(result, streams.err);
    if (result.ok()) streams.out << "configuration is valid\n";
    return result.ok() ? kExitOk : kExitConfig;
  }
  print_problems(result, streams.err);
  if (!result.ok()) return kExitConfig;
  if (line->action == config::Action::healthcheck) return run_healthcheck(result.settings, streams.err);
  settings_out = std::move(result.settings);
  return -1;
}

int run_cli(int argc, char** argv, char** environ_array) {
  // Whatever escapes (out of memory, a bug) ends with a documented code and
  // one line, not an abort. The message comes from the code, never from a
  // setting's value, so it carries no secret.
  try {
    std::vector<std::string> args(argv + 1, argv + argc);
    config::Settings settings;
    int code = handle_command_line(args, config::environment_from(environ_array), {std::cout, std::cerr},
                                   settings);
    if (code >= 0) return code;
    return run_daemon(settings);
  } catch (const std::exception& error) {
    std::cerr << "sluiced: internal error: " << error.what() << "\n";
  } catch (...) {
    std::cerr << "sluiced: internal error\n";
  }
  return kExitCannotStart;
}

}  // namespace sluice::app
