#include "app/programs_check.hpp"

#include <cstdlib>
#include <filesystem>

#include "cli/build_token.hpp"
#include "cli/core_program.hpp"
#include "util/errors.hpp"

namespace pgdeploy {
namespace {

namespace fs = std::filesystem;

constexpr const char* pair_item = "front end and core program from one build";
constexpr const char* agent_item = "agent program of the same build";
constexpr const char* reinstall =
    "install the package again, or copy pgdeploy and its libexec/pgdeploy directory from one build";

// The core program CORE (this process) for the front end that ran it. True when it passes.
bool check_core(Checklist& list, const fs::path& core) {
  if (const auto problem = core_program_problem(core, build_token)) {
    list.fail(pair_item, *problem, reinstall);
    return false;
  }
  list.pass(pair_item, core.string() + " " + build_token +
                           (std::getenv(build_token_variable) != nullptr
                                ? ", run by pgdeploy of the same build"
                                : ", run directly"));
  return true;
}

// The agent program beside CORE: an app server that runs `pgdeploy agent` needs it, and a
// broken one would show only when its agent unit starts.
void check_agent(Checklist& list, const fs::path& core) {
  try {
    list.pass(agent_item, checked_agent_program(core, build_token).string());
  } catch (const Error& e) {
    list.fail(agent_item, e.what(), reinstall);
  }
}

}  // namespace

std::vector<CheckItem> check_programs() {
  Checklist list("pgdeploy");
  try {
    const fs::path core = running_program("");
    if (check_core(list, core)) {
      check_agent(list, core);
    } else {
      list.skip(agent_item, "the core program failed its check");
    }
  } catch (const Error& e) {
    list.fail(pair_item, e.what(), "mount /proc");
  }
  return std::move(list.items());
}

}  // namespace pgdeploy
