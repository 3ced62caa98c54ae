#pragma once

namespace pgdeploy {

// The build token, VERSION+HASH (e.g. 0.1.0+3fa2b9c0d1e2): the project's version and the start
// of a hash over the sources, written by cmake/build-token.cmake into a generated source that
// both programs link, and into the build-token file beside the core program. Two programs
// with the same token are built from the same sources (see core_program.hpp).
extern const char* const build_token;

}  // namespace pgdeploy
