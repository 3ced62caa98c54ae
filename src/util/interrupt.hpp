#pragma once

namespace pgdeploy {

// Makes SIGINT and SIGTERM stop the run gracefully: hosts already in flight finish (their
// installers end either with the new file committed or the old one back), hosts not yet
// started are skipped. The handler restores the default action, so a second signal ends the
// process at once; the installers still roll back on the lost connection.
void catch_interrupts();

// The signal received since catch_interrupts(), or 0.
int interrupting_signal();

// A descriptor that becomes readable when such a signal arrives, for a wait in poll() that
// must end at once; -1 before catch_interrupts().
int interrupt_fd();

}  // namespace pgdeploy
