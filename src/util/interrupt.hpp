#pragma once

namespace pgdeploy {

// Makes SIGINT and SIGTERM stop the run gracefully: hosts already in flight finish (their
// installers end either with the new file committed or the old one back), hosts not yet
// started are skipped. The handler restores the default action, so a second signal ends the
// process at once; the installers still roll back on the lost connection.
void catch_interrupts();

// The signal received since catch_interrupts(), or 0.
int interrupting_signal();

// A descriptor that becomes readable when such a signal arrives (or has arrived), for a wait
// in poll() that must end at once; -1 when no pipe can be made. The pipe is made on the first
// call, so that a run that never waits so spends no descriptors on it: a deploy counts its
// descriptors against RLIMIT_NOFILE.
int interrupt_fd();

}  // namespace pgdeploy
