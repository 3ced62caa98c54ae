#include "util/memory.hpp"

#include <malloc.h>

namespace pgdeploy {

void return_freed_memory() { malloc_trim(0); }

}  // namespace pgdeploy
