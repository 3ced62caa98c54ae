#pragma once

#include <filesystem>
#include <optional>

#include "cli/config_file.hpp"
#include "cli/options.hpp"

namespace pgdeploy {

// The outcome of parsing argv: options to run with, or an exit code when parsing already
// finished the run (--help, --version, or a usage error that has been printed).
struct CommandLine {
  Options options;
  std::optional<int> early_exit;
};

// Parses argv with CLI11 after the configuration file (--config, else DEFAULT_CONFIG when it
// exists): its [pgdeploy] section, then its [cluster NAME] section for the -c cluster, then the
// command line, each winning over the one before. The file sets any long option but help,
// version, config and cluster as `name = value`; flags take true/false, yes/no, on/off or 1/0.
// Prints help, version and usage errors itself; an unreadable file, an unknown key or an invalid
// value is a usage error naming FILE:LINE and the key.
CommandLine parse_command_line(int argc, const char* const* argv,
                               const std::filesystem::path& default_config = default_config_path);

}  // namespace pgdeploy
