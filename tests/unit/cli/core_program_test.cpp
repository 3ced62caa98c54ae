#include "cli/core_program.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <fstream>
#include <string>

#include "util/errors.hpp"

namespace fs = std::filesystem;
using ::testing::HasSubstr;

namespace pgdeploy {
namespace {

TEST(CoreProgramCandidates, InstalledThenBuildTree) {
  const std::vector<fs::path> expected{"/usr/libexec/pgdeploy/pgdeploy",
                                       "/usr/bin/libexec/pgdeploy/pgdeploy"};
  EXPECT_EQ(core_program_candidates("/usr/bin/pgdeploy"), expected);
}

// A front end installed at PREFIX/bin/pgdeploy, PREFIX a directory of its own.
class FindCoreProgram : public ::testing::Test {
 protected:
  void SetUp() override {
    prefix = fs::temp_directory_path() / ("pgdeploy-core-program-" + std::to_string(getpid()));
    fs::remove_all(prefix);
    self = prefix / "bin" / "pgdeploy";
    installed = prefix / "libexec" / "pgdeploy" / "pgdeploy";
    build_tree = prefix / "bin" / "libexec" / "pgdeploy" / "pgdeploy";
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(prefix, ignored);
  }
  static void create(const fs::path& file, const std::string& text = "core\n") {
    fs::create_directories(file.parent_path());
    std::ofstream(file) << text;
  }
  // The core program at INSTALLED, executable, with the build token file TOKEN beside it.
  void install_core(const std::string& token) const {
    create(installed);
    fs::permissions(installed, fs::perms::owner_all);
    create(build_token_file(installed), token + "\n");
  }

  fs::path prefix;
  fs::path self;
  fs::path installed;
  fs::path build_tree;
};

TEST_F(FindCoreProgram, FindsTheInstalledOne) {
  create(installed);
  EXPECT_EQ(find_core_program(self), installed);
}

TEST_F(FindCoreProgram, FindsTheOneOfTheBuildTree) {
  create(build_tree);
  EXPECT_EQ(find_core_program(self), build_tree);
}

TEST_F(FindCoreProgram, PrefersTheInstalledOne) {
  create(build_tree);
  create(installed);
  EXPECT_EQ(find_core_program(self), installed);
}

TEST_F(FindCoreProgram, ALinkBackToTheFrontEndIsNoCoreProgram) {
  create(self);
  fs::create_directories(installed.parent_path());
  fs::create_symlink(self, installed);
  EXPECT_THROW(find_core_program(self), Error);
}

TEST_F(FindCoreProgram, MissingIsAUsageErrorNamingEveryPlace) {
  try {
    find_core_program(self);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), ExitCode::usage);
    const std::string message = e.what();
    EXPECT_NE(message.find(build_tree.string()), std::string::npos) << message;
    EXPECT_NE(message.find(installed.string()), std::string::npos) << message;
  }
}

TEST_F(FindCoreProgram, MissingSaysWhatToDo) {
  try {
    find_core_program(self);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.what(), "the core program " + installed.string() + " is missing (nor is it " +
                            build_tree.string() + "): " + self.string() +
                            " was copied or installed without it; install the package again, or "
                            "copy pgdeploy and its libexec/pgdeploy directory (the core and "
                            "agent programs, build-token) from one build");
  }
}

TEST_F(FindCoreProgram, OneOfTheSameBuildHasNoProblem) {
  install_core("1.0+abc");
  EXPECT_EQ(core_program_problem(installed, "1.0+abc"), std::nullopt);
  EXPECT_EQ(checked_core_program(self, "1.0+abc"), installed);
}

TEST_F(FindCoreProgram, OneOfAnotherBuildIsAUsageErrorNamingBothTokens) {
  install_core("1.0+abc");
  try {
    checked_core_program(self, "1.0+def");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), ExitCode::usage);
    EXPECT_THAT(e.what(), HasSubstr("the core program " + installed.string() +
                                    " is from another build (1.0+abc) than this pgdeploy "
                                    "(1.0+def); install the package again"));
  }
}

TEST_F(FindCoreProgram, OneWithoutBuildTokenFileIsAProblem) {
  install_core("1.0+abc");
  fs::remove(build_token_file(installed));
  const auto problem = core_program_problem(installed, "1.0+abc");
  ASSERT_TRUE(problem.has_value());
  EXPECT_THAT(*problem,
              HasSubstr("has no build token: " +
                        (installed.parent_path() / "build-token").string() + " cannot be read"));
}

TEST_F(FindCoreProgram, OneThatIsNotExecutableIsAProblem) {
  install_core("1.0+abc");
  fs::permissions(installed, fs::perms::owner_read | fs::perms::owner_write);
  const auto problem = core_program_problem(installed, "1.0+abc");
  ASSERT_TRUE(problem.has_value());
  EXPECT_THAT(*problem, HasSubstr("the core program " + installed.string() +
                                  " cannot be run: Permission denied; make it executable"));
}

TEST_F(FindCoreProgram, AgentProgramIsPgdeployAgentBesideTheCoreProgram) {
  install_core("1.0+abc");
  const fs::path agent = installed.parent_path() / "pgdeploy-agent";
  create(agent);
  fs::permissions(agent, fs::perms::owner_all);
  EXPECT_EQ(agent_program_beside(installed), agent);
  EXPECT_EQ(checked_agent_program(installed, "1.0+abc"), agent);
}

TEST_F(FindCoreProgram, MissingAgentProgramIsAUsageErrorNamingIt) {
  install_core("1.0+abc");
  try {
    checked_agent_program(installed, "1.0+abc");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), ExitCode::usage);
    EXPECT_THAT(e.what(), HasSubstr("the agent program " +
                                    (installed.parent_path() / "pgdeploy-agent").string() +
                                    ", which runs `pgdeploy agent`, is missing beside the core "
                                    "program " +
                                    installed.string() + "; install the package again"));
  }
}

TEST_F(FindCoreProgram, AgentProgramOfAnotherBuildIsAUsageErrorNamingIt) {
  install_core("1.0+abc");
  const fs::path agent = agent_program_beside(installed);
  create(agent);
  fs::permissions(agent, fs::perms::owner_all);
  try {
    checked_agent_program(installed, "1.0+def");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("the agent program " + agent.string() +
                                    " is from another build (1.0+abc) than this pgdeploy"));
  }
}

TEST(RunningProgram, IsTheRealPathOfThisProcess) {
  EXPECT_EQ(running_program("").filename(), "pgdeploy_unit_tests");
  EXPECT_TRUE(running_program("").is_absolute());
}

// Without /proc: argv[0] as a shell would have found it.
class RunningProgramWithoutProc : public FindCoreProgram {
 protected:
  void SetUp() override {
    FindCoreProgram::SetUp();
    create(self);
    fs::permissions(self, fs::perms::owner_all);
    if (const char* path = std::getenv("PATH")) {
      saved_path = path;
    }
  }
  void TearDown() override {
    ::setenv("PATH", saved_path.c_str(), 1);
    FindCoreProgram::TearDown();
  }

  const fs::path no_proc = "/nonexistent/proc/self/exe";
  std::string saved_path;
};

TEST_F(RunningProgramWithoutProc, TakesAPathFromArgv0WithItsLinksResolved) {
  fs::create_symlink(self, prefix / "link");
  EXPECT_EQ(running_program(self.string(), no_proc), self);
  EXPECT_EQ(running_program((prefix / "link").string(), no_proc), self);
}

TEST_F(RunningProgramWithoutProc, LooksANameUpInPath) {
  ::setenv("PATH", ("/nonexistent:" + self.parent_path().string()).c_str(), 1);
  EXPECT_EQ(running_program("pgdeploy", no_proc), self);
}

TEST_F(RunningProgramWithoutProc, SaysWhatIsWrongWhenNeitherWorks) {
  ::setenv("PATH", "/nonexistent", 1);
  try {
    running_program("pgdeploy", no_proc);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), ExitCode::usage);
    EXPECT_EQ(std::string(e.what()),
              "cannot tell where this pgdeploy is, to find its core program: " + no_proc.string() +
                  " cannot be read (No such file or directory) and \"pgdeploy\" is no program "
                  "in PATH; mount /proc, or run pgdeploy by its full path");
  }
}

TEST(ExecCoreProgram, AProgramThatCannotRunIsAUsageErrorNamingIt) {
  const std::array<const char*, 2> argv{"pgdeploy", nullptr};
  try {
    exec_core_program("/nonexistent/pgdeploy", argv.data(), "1.0+abc");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), ExitCode::usage);
    EXPECT_STREQ(e.what(),
                 "cannot run the core program /nonexistent/pgdeploy: No such file or directory");
  }
  EXPECT_EQ(std::getenv(build_token_variable), nullptr);
}

TEST(CheckFrontEndBuild, RefusesAFrontEndOfAnotherBuild) {
  ::unsetenv(build_token_variable);
  EXPECT_NO_THROW(check_front_end_build("1.0+abc"));  // run directly
  ::setenv(build_token_variable, "1.0+abc", 1);
  EXPECT_NO_THROW(check_front_end_build("1.0+abc"));
  ::setenv(build_token_variable, "1.0+def", 1);
  try {
    check_front_end_build("1.0+abc");
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), ExitCode::usage);
    EXPECT_THAT(e.what(), HasSubstr("this core program is from another build (1.0+abc) than the "
                                    "pgdeploy that ran it (1.0+def)"));
  }
  ::unsetenv(build_token_variable);
}

}  // namespace
}  // namespace pgdeploy
