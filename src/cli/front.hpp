#pragma once

#include "cli/command_line.hpp"

namespace pgdeploy {

// The start both programs share, so that what the front end ends it ends as the core program
// would: parses ARGV (parse_command_line) and, when the run goes on, sets up logging. Usage
// errors are thrown, to be printed by report_failure() (util/failure.hpp) on stderr.
CommandLine start_run(int argc, const char* const* argv);

// The program users run (see core_program.hpp): parses the command line, sets up logging,
// checks its core program (on every run but --help) and ends the runs that need nothing of the
// database or the app servers (--version, which names the core program too, usage errors,
// repmgr events that cannot move writes or that failed) as run() would; every other run
// becomes the core program with the same ARGV (null-terminated). Returns the process
// exit code; throws pgdeploy::Error when the run fails.
int run_front(int argc, const char* const* argv);

}  // namespace pgdeploy
