#pragma once

#include <filesystem>
#include <vector>

namespace pgdeploy {

// pgdeploy is two programs. The one users run (the front end) parses the command line, sets
// up logging and ends the runs of repmgr events that need nothing; every other run it hands,
// with the same arguments, to the core program, which links libpq and libssh and does the
// work. Loading those libraries is most of a run's start-up, and repmgr waits for its hook
// after every event.
//
// The core program's file is also named pgdeploy, in a directory of its own: the kernel names
// a process after the file it executes, so the process keeps the name users know from start to
// end (pgrep -x pgdeploy, pkill, ps -C pgdeploy).

// Where the core program may be, in the order tried, for the front end at SELF (the real
// path of the running file), each relative to SELF so that any installation prefix works:
// where `cmake --install` and the Debian package put it (/usr/bin/pgdeploy:
// /usr/lib/pgdeploy/pgdeploy), then where the build tree does (build/pgdeploy:
// build/lib/pgdeploy/pgdeploy, the same layout below the front end's own directory).
std::vector<std::filesystem::path> core_program_candidates(const std::filesystem::path& self);

// The first of core_program_candidates(SELF) that exists and is not SELF itself. Throws a
// usage error naming every place looked at when there is none.
std::filesystem::path find_core_program(const std::filesystem::path& self);

// The real path of the running program, from /proc/self/exe: unlike argv[0], which may be a
// bare name found in PATH or a symbolic link, it names the file itself. Throws a usage error
// when it cannot be read (no /proc).
std::filesystem::path running_program();

// Replaces this process with the core program at CORE, with ARGV (null-terminated) and the
// same environment. Returns only by throwing a usage error naming CORE when it cannot run.
[[noreturn]] void exec_core_program(const std::filesystem::path& core, const char* const* argv);

}  // namespace pgdeploy
