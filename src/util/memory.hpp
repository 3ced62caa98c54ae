#pragma once

namespace pgdeploy {

// Returns the heap's free memory to the system (glibc's malloc_trim): freed pages in the middle
// of the heap stay resident otherwise, for the life of the process. For a process that runs as
// long as its server does (the agent), after each event it handled: events are rare, and the
// call costs microseconds on a heap of a few hundred KiB.
void return_freed_memory();

}  // namespace pgdeploy
