#pragma once

namespace pgdeploy {

// The whole program: parse the command line, read the metadata, deploy to every enabled app
// server, report. Returns the process exit code.
int run(int argc, const char* const* argv);

}  // namespace pgdeploy
