#include "app/programs_check.hpp"

#include <cstdlib>
#include <filesystem>

#include "cli/build_token.hpp"
#include "cli/core_program.hpp"
#include "util/errors.hpp"

namespace pgdeploy {

std::vector<CheckItem> check_programs() {
  Checklist list("pgdeploy");
  const char* item = "front end and core program from one build";
  try {
    const std::filesystem::path core = running_program("");
    if (const auto problem = core_program_problem(core, build_token)) {
      list.fail(item, *problem, "install the package again, or copy both programs from one build");
    } else {
      list.pass(item, core.string() + " " + build_token +
                          (std::getenv(build_token_variable) != nullptr
                               ? ", run by pgdeploy of the same build"
                               : ", run directly"));
    }
  } catch (const Error& e) {
    list.fail(item, e.what(), "mount /proc");
  }
  return std::move(list.items());
}

}  // namespace pgdeploy
