#pragma once

namespace pgdeploy {

// The whole program: parse the command line, read the metadata, deploy to every enabled app
// server, report. Returns the process exit code; throws what ends the run before a report can
// be written (usage errors, for one).
int run(int argc, const char* const* argv);

}  // namespace pgdeploy
