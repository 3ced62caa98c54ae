#pragma once

#include "cli/options.hpp"

namespace pgdeploy {

// `pgdeploy agent` with OPTIONS: its etcd client and PgBouncer's admin console over libpq, the
// only connectors an agent needs. Returns the exit code.
int run_agent_command(const Options& options);

// The agent program (libexec/pgdeploy/pgdeploy-agent), to which the front end hands every run
// of `pgdeploy agent`. It links neither libssh nor the rest of the core program, and the C++
// runtime statically: an agent runs on every app server of a fleet for as long as the server
// does, and these are most of its resident memory (README.md, "The agent's footprint").
int run_agent_program(int argc, const char* const* argv);

}  // namespace pgdeploy
