#pragma once

#include <string>

namespace pgdeploy {

// Open files a run needs besides its hosts: standard streams, the lock, the database
// connections, syslog, and the files libssh and libpq open for a moment.
inline constexpr long reserved_descriptors = 32;
// Open files one host in flight may need at once: its SSH socket, its admin console
// connection, a probe socket (doctor) and the known_hosts file while libssh reads it.
inline constexpr long descriptors_per_host = 4;

// Raises the soft RLIMIT_NOFILE to the hard one: the default soft limit (1024) is a
// historical guard for select(), which neither libssh nor libpq use here. Returns the soft
// limit in force afterwards.
long raise_descriptor_limit();

// JOBS, or fewer when LIMIT open files cannot serve that many hosts at once (at least 1).
int jobs_within(int jobs, long limit);

// True when this process cannot open one more file (EMFILE): the failure to report then is
// the limit, whatever the library that hit it made of it.
bool out_of_descriptors();

// "out of file descriptors (RLIMIT_NOFILE N)".
std::string out_of_descriptors_text();

}  // namespace pgdeploy
