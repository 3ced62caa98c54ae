#include "cli/core_program.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>

#include "util/errors.hpp"

// All three are set by src/CMakeLists.txt from the install layout.
#if !defined(PGDEPLOY_CORE_NAME) || !defined(PGDEPLOY_CORE_DIR) || \
    !defined(PGDEPLOY_CORE_DIR_FROM_BINDIR)
#error "the core program's name and directories must be defined"
#endif

namespace pgdeploy {

std::vector<std::filesystem::path> core_program_candidates(const std::filesystem::path& self) {
  const std::filesystem::path dir = self.parent_path();
  // SELF has no symbolic links (see running_program), so ".." can be resolved lexically.
  return {(dir / PGDEPLOY_CORE_DIR_FROM_BINDIR / PGDEPLOY_CORE_NAME).lexically_normal(),
          dir / PGDEPLOY_CORE_DIR / PGDEPLOY_CORE_NAME};
}

std::filesystem::path find_core_program(const std::filesystem::path& self) {
  std::string looked_at;
  for (const std::filesystem::path& candidate : core_program_candidates(self)) {
    std::error_code ignored;
    // A link back to the front end (a broken installation) would execute it for ever, and
    // repmgr waits for its hook: it counts as missing.
    if (std::filesystem::exists(candidate, ignored) &&
        !std::filesystem::equivalent(candidate, self, ignored)) {
      return candidate;
    }
    looked_at += (looked_at.empty() ? "" : ", ") + candidate.string();
  }
  throw usage_error("cannot find the core program (looked at " + looked_at +
                    "): pgdeploy is not completely installed");
}

std::filesystem::path running_program() {
  std::error_code error;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) {
    throw usage_error("cannot read /proc/self/exe to find the core program: " + error.message());
  }
  return self;
}

void exec_core_program(const std::filesystem::path& core, const char* const* argv) {
  // execv takes char* const[] only for compatibility with old C code; it changes nothing.
  execv(core.c_str(), const_cast<char* const*>(argv));
  throw usage_error("cannot run the core program " + core.string() + ": " + std::strerror(errno));
}

}  // namespace pgdeploy
