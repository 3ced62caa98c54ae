#include "cli/front.hpp"

#include <filesystem>
#include <iostream>

#include "cli/build_token.hpp"
#include "cli/command_line.hpp"
#include "cli/core_program.hpp"
#include "cli/event_gate.hpp"
#include "cli/logging.hpp"
#include "util/errors.hpp"

namespace pgdeploy {
namespace {

// The exit code when the event alone ends the run. An invalid --success is left to the core
// program, which reports it as it reports every error (in the --json report too).
std::optional<ExitCode> ends_here(const EventOptions& event) {
  try {
    return skip_for_event(event);
  } catch (const Error&) {
    return std::nullopt;
  }
}

}  // namespace

CommandLine start_run(int argc, const char* const* argv) {
  // Until the command line says where the log goes, errors in it go to stderr.
  setup_logging(Verbosity::normal);
  CommandLine command_line = parse_command_line(argc, argv);
  if (command_line.early_end == EarlyEnd::none) {
    setup_logging(command_line.options.verbosity, command_line.options.syslog);
  }
  return command_line;
}

int run_front(int argc, const char* const* argv) {
  // tests/integration/front_test.sh compares the two programs' output.
  const CommandLine command_line = start_run(argc, argv);
  if (command_line.early_end == EarlyEnd::help) {
    return static_cast<int>(ExitCode::ok);
  }
  // Also for the runs that end here: a broken installation shows now, not at the next failover.
  const std::filesystem::path core =
      checked_core_program(running_program(argc > 0 ? argv[0] : ""), build_token);
  if (command_line.early_end == EarlyEnd::version) {
    std::cout << "core program " << core.string() << " " << build_token << std::endl;
    return static_cast<int>(ExitCode::ok);
  }
  if (const auto code = ends_here(command_line.options.event)) {
    return static_cast<int>(*code);
  }
  // The core program parses the same arguments again: it alone defines what a run does. An
  // agent has a program of its own, which links only what an agent needs.
  const bool agent = command_line.options.command == Command::agent;
  exec_core_program(agent ? checked_agent_program(core, build_token) : core, argv, build_token);
}

}  // namespace pgdeploy
