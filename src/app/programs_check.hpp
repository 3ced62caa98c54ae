#pragma once

#include <vector>

#include "report/checklist.hpp"

namespace pgdeploy {

// pgdeploy doctor's first items: this core program and the build-token file beside it are of
// one build with the front end that ran it (the front end and check_front_end_build() refuse a
// run otherwise), and so is the agent program beside it. Checked here, by the core program
// itself, not with the doctor's other checks, which run on any program (the unit tests').
std::vector<CheckItem> check_programs();

}  // namespace pgdeploy
