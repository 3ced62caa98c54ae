#pragma once

#include <cstddef>

namespace pgdeploy {

// A message larger than this leaves enough freed memory behind to be worth returning.
inline constexpr std::size_t large_message_bytes = std::size_t{64} * 1024;

// Returns the memory freed since to the system (glibc's malloc_trim): freed pages in the middle
// of the heap stay resident otherwise, for the life of the process. For a process that runs as
// long as its server does (the agent) after it handled an unusually large message.
void return_freed_memory();

}  // namespace pgdeploy
