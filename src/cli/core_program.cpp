#include "cli/core_program.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <system_error>

#include "util/errors.hpp"

// All four are set by src/cli/CMakeLists.txt from the install and build layouts.
#if !defined(PGDEPLOY_CORE_NAME) || !defined(PGDEPLOY_CORE_BUILD_DIR) || \
    !defined(PGDEPLOY_CORE_DIR_FROM_BINDIR) || !defined(PGDEPLOY_AGENT_NAME)
#error "the core program's name and directories must be defined"
#endif

namespace pgdeploy {
namespace {

namespace fs = std::filesystem;

// What to do about a core or agent program that is missing or does not match: the three
// programs come together.
constexpr const char* reinstall =
    "install the package again, or copy pgdeploy and its libexec/pgdeploy directory (the core "
    "and agent programs, build-token) from one build";

// The first line of FILE, a build token, or nullopt when it cannot be read. Read with open(2):
// every run of the front end reads it, and a stream costs it more than the rest of the check.
std::optional<std::string> first_line(const fs::path& file) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return std::nullopt;
  }
  std::array<char, 256> buffer{};
  const ssize_t size = ::read(fd, buffer.data(), buffer.size());
  ::close(fd);
  if (size <= 0) {
    return std::nullopt;
  }
  const std::string_view text(buffer.data(), static_cast<std::size_t>(size));
  return std::string(text.substr(0, text.find('\n')));
}

// NAME as a shell finds it: in each directory of PATH (empty: the current one) in turn.
std::optional<fs::path> find_in_path(std::string_view name) {
  const char* path = std::getenv("PATH");
  std::string_view rest = path != nullptr ? path : "";
  while (path != nullptr) {
    const auto colon = rest.find(':');
    const std::string_view dir = rest.substr(0, colon);
    const fs::path candidate = fs::path(dir.empty() ? "." : dir) / name;
    std::error_code ignored;
    if (fs::is_regular_file(candidate, ignored) && ::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
    if (colon == std::string_view::npos) {
      break;
    }
    rest.remove_prefix(colon + 1);
  }
  return std::nullopt;
}

}  // namespace

std::vector<fs::path> core_program_candidates(const fs::path& self) {
  const fs::path dir = self.parent_path();
  // SELF has no symbolic links (see running_program), so ".." can be resolved lexically.
  return {(dir / PGDEPLOY_CORE_DIR_FROM_BINDIR / PGDEPLOY_CORE_NAME).lexically_normal(),
          dir / PGDEPLOY_CORE_BUILD_DIR / PGDEPLOY_CORE_NAME};
}

fs::path find_core_program(const fs::path& self) {
  const std::vector<fs::path> candidates = core_program_candidates(self);
  for (const fs::path& candidate : candidates) {
    std::error_code ignored;
    // A link back to the front end (a broken installation) would execute it for ever, and
    // repmgr waits for its hook: it counts as missing.
    if (fs::exists(candidate, ignored) && !fs::equivalent(candidate, self, ignored)) {
      return candidate;
    }
  }
  throw usage_error("the core program " + candidates.front().string() + " is missing (nor is it " +
                    candidates.back().string() + "): " + self.string() +
                    " was copied or installed without it; " + reinstall);
}

fs::path build_token_file(const fs::path& core) { return core.parent_path() / "build-token"; }

std::optional<std::string> core_program_problem(const fs::path& core, std::string_view token,
                                                std::string_view what) {
  const std::string named = std::string(what) + " " + core.string();
  if (::access(core.c_str(), X_OK) != 0) {
    return named + " cannot be run: " + std::strerror(errno) +
           "; make it executable (chmod 0755), or " + reinstall;
  }
  const fs::path file = build_token_file(core);
  const std::optional<std::string> core_token = first_line(file);
  if (!core_token) {
    return named + " has no build token: " + file.string() + " cannot be read; " + reinstall;
  }
  if (*core_token != token) {
    return named + " is from another build (" + *core_token + ") than this pgdeploy (" +
           std::string(token) + "); " + reinstall;
  }
  return std::nullopt;
}

fs::path checked_core_program(const fs::path& self, std::string_view token) {
  fs::path core = find_core_program(self);
  if (const auto problem = core_program_problem(core, token)) {
    throw usage_error(*problem);
  }
  return core;
}

fs::path agent_program_beside(const fs::path& core) {
  return core.parent_path() / PGDEPLOY_AGENT_NAME;
}

fs::path checked_agent_program(const fs::path& core, std::string_view token) {
  fs::path agent = agent_program_beside(core);
  std::error_code ignored;
  if (!fs::exists(agent, ignored)) {
    throw usage_error("the agent program " + agent.string() + ", which runs `pgdeploy agent`, " +
                      "is missing beside the core program " + core.string() + "; " + reinstall);
  }
  if (const auto problem = core_program_problem(agent, token, "the agent program")) {
    throw usage_error(*problem);
  }
  return agent;
}

fs::path running_program(std::string_view argv0, const fs::path& proc_self_exe) {
  std::error_code error;
  fs::path self = fs::read_symlink(proc_self_exe, error);
  if (!error) {
    return self;
  }
  // Without /proc: a path as given, else the name as the shell found it in PATH.
  const std::optional<fs::path> given = argv0.find('/') != std::string_view::npos
                                            ? std::optional<fs::path>(argv0)
                                            : find_in_path(argv0);
  std::error_code ignored;
  if (given && fs::is_regular_file(*given, ignored)) {
    if (fs::path real = fs::canonical(*given, ignored); !real.empty()) {
      return real;
    }
  }
  throw usage_error(
      "cannot tell where this pgdeploy is, to find its core program: " + proc_self_exe.string() +
      " cannot be read (" + error.message() + ") and \"" + std::string(argv0) +
      "\" is no program " + (argv0.find('/') != std::string_view::npos ? "file" : "in PATH") +
      "; mount /proc, or run pgdeploy by its full path");
}

void exec_core_program(const fs::path& core, const char* const* argv, std::string_view token) {
  ::setenv(build_token_variable, std::string(token).c_str(), 1);
  // execv takes char* const[] only for compatibility with old C code; it changes nothing.
  execv(core.c_str(), const_cast<char* const*>(argv));
  const int error = errno;
  ::unsetenv(build_token_variable);
  throw usage_error("cannot run the core program " + core.string() + ": " + std::strerror(error));
}

void check_front_end_build(std::string_view token) {
  const char* front_end = std::getenv(build_token_variable);
  if (front_end != nullptr && front_end != token) {
    throw usage_error("this core program is from another build (" + std::string(token) +
                      ") than the pgdeploy that ran it (" + front_end + "); " + reinstall);
  }
}

}  // namespace pgdeploy
