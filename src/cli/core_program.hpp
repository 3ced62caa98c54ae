#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgdeploy {

// pgdeploy is two programs (three with the agent's, app/agent_program.hpp). The one users run
// (the front end) parses the command line, sets up logging and ends the runs of repmgr events
// that need nothing; every other run it hands, with the same arguments, to the core program,
// which links libpq and libssh and does the work. Loading those libraries is most of a run's
// start-up, and repmgr waits for its hook after every event.
//
// The core program's file is also named pgdeploy, in a directory of its own: the kernel names
// a process after the file it executes, so the process keeps the name users know from start to
// end (pgrep -x pgdeploy, pkill, ps -C pgdeploy).
//
// The two must come from one build: the front end decides alone which events need nothing,
// and hands the rest over by command line. Both carry the build token (cli/build_token.hpp),
// and the build writes it to a file beside the core program too. On every run but --help the
// front end checks, without running it, that the core program is there, executable and of its
// build (a copied front end, a half-upgraded installation fail at once, not at the next
// failover); and the core program refuses a front end of another build (a core program
// replaced on its own).

// Where the core program may be, in the order tried, for the front end at SELF (the real
// path of the running file), each relative to SELF so that any installation prefix works:
// where `cmake --install` and the Debian package put it (/usr/bin/pgdeploy:
// /usr/libexec/pgdeploy/pgdeploy), then where the build tree does (build/pgdeploy:
// build/libexec/pgdeploy/pgdeploy).
std::vector<std::filesystem::path> core_program_candidates(const std::filesystem::path& self);

// The first of core_program_candidates(SELF) that exists and is not SELF itself. Throws a
// usage error saying it is missing, where it was looked for and what to do when there is none.
std::filesystem::path find_core_program(const std::filesystem::path& self);

// The file beside the core program at CORE that holds its build token.
std::filesystem::path build_token_file(const std::filesystem::path& core);

// What is wrong with the core program at CORE, which exists, for a front end of build TOKEN:
// not executable, no build token file, or another build's; with what to do, naming it as WHAT.
// nullopt when nothing is.
std::optional<std::string> core_program_problem(const std::filesystem::path& core,
                                                std::string_view token,
                                                std::string_view what = "the core program");

// find_core_program(SELF), checked by core_program_problem(..., TOKEN): throws a usage error
// with the problem.
std::filesystem::path checked_core_program(const std::filesystem::path& self,
                                           std::string_view token);

// The agent program, to which the front end hands `pgdeploy agent` (app/agent_program.hpp):
// pgdeploy-agent beside the core program CORE, sharing its build-token file.
std::filesystem::path agent_program_beside(const std::filesystem::path& core);

// agent_program_beside(CORE), checked as the core program is for a front end of build TOKEN:
// throws a usage error naming it when it is missing or has a problem.
std::filesystem::path checked_agent_program(const std::filesystem::path& core,
                                            std::string_view token);

// The real path of the running program, from PROC_SELF_EXE: unlike argv[0], which may be a
// bare name found in PATH or a symbolic link, it names the file itself. Without /proc, from
// ARGV0 as the shell found it: a path, or a name looked up in PATH, links resolved. Throws a
// usage error saying so when neither gives it.
std::filesystem::path running_program(
    std::string_view argv0, const std::filesystem::path& proc_self_exe = "/proc/self/exe");

// The environment variable through which the front end gives the core program its token.
inline constexpr const char* build_token_variable = "PGDEPLOY_BUILD_TOKEN";

// Replaces this process with the core program at CORE, with ARGV (null-terminated) and the
// same environment plus build_token_variable=TOKEN. Returns only by throwing a usage error
// naming CORE when it cannot run.
[[noreturn]] void exec_core_program(const std::filesystem::path& core, const char* const* argv,
                                    std::string_view token);

// For the core program of build TOKEN: throws a usage error when a front end of another build
// started it (build_token_variable holds another token). A core program run directly, without
// the variable, runs.
void check_front_end_build(std::string_view token);

}  // namespace pgdeploy
