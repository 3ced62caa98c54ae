#pragma once

#include <filesystem>
#include <optional>

#include "cli/config_file.hpp"
#include "cli/options.hpp"

namespace pgdeploy {

// What parsing printed that ends the run with exit 0.
enum class EarlyEnd { none, help, version };

// The outcome of parsing argv: options to run with, unless parsing printed help or the version.
struct CommandLine {
  Options options;
  EarlyEnd early_end = EarlyEnd::none;
};

// Parses argv with CLI11 after the configuration file (--config, else DEFAULT_CONFIG when it
// exists): its [pgdeploy] section, then its [cluster NAME] section for the -c cluster, then the
// command line, each winning over the one before. The file sets any long option but help,
// version, config and cluster as `name = value`; flags take true/false, yes/no, on/off or 1/0.
// Prints help and the version itself. Throws a usage error for a bad command line, and for an
// unreadable file, an unknown key or an invalid value, naming FILE:LINE and the key.
CommandLine parse_command_line(int argc, const char* const* argv,
                               const std::filesystem::path& default_config = default_config_path);

}  // namespace pgdeploy
