#pragma once

#include "cli/options.hpp"

namespace pgdeploy {

// Sends the log to stderr (or syslog) at the level the verbosity asks for: warnings and errors
// when quiet, host outcomes and the summary normally, every remote operation when verbose.
void setup_logging(Verbosity verbosity, bool to_syslog = false);

}  // namespace pgdeploy
