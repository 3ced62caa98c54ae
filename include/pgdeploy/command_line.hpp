#pragma once

#include <optional>

#include "pgdeploy/options.hpp"

namespace pgdeploy {

// The outcome of parsing argv: options to run with, or an exit code when parsing already
// finished the run (--help, --version, or a usage error that has been printed).
struct CommandLine {
  Options options;
  std::optional<int> early_exit;
};

// Parses argv with CLI11. Prints help, version and usage errors itself.
CommandLine parse_command_line(int argc, const char* const* argv);

}  // namespace pgdeploy
