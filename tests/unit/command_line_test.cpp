#include "pgdeploy/command_line.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "pgdeploy/errors.hpp"
#include "pgdeploy/options.hpp"
#include "pgdeploy/version.hpp"

namespace pgdeploy {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// Sends std::cout and std::cerr to strings while it lives.
class CapturedOutput {
 public:
  CapturedOutput()
      : out_(std::cout.rdbuf(stdout_.rdbuf())), err_(std::cerr.rdbuf(stderr_.rdbuf())) {}
  ~CapturedOutput() {
    std::cout.rdbuf(out_);
    std::cerr.rdbuf(err_);
  }
  CapturedOutput(const CapturedOutput&) = delete;
  CapturedOutput& operator=(const CapturedOutput&) = delete;
  std::string out() const { return stdout_.str(); }
  std::string err() const { return stderr_.str(); }

 private:
  std::ostringstream stdout_;
  std::ostringstream stderr_;
  std::streambuf* out_;
  std::streambuf* err_;
};

struct Parsed {
  CommandLine command_line;
  std::string out;
  std::string err;
};

Parsed parse(std::vector<std::string> args) {
  args.insert(args.begin(), "pgdeploy");
  std::vector<const char*> argv;
  for (const auto& arg : args) {
    argv.push_back(arg.c_str());
  }
  const CapturedOutput captured;
  CommandLine command_line = parse_command_line(static_cast<int>(argv.size()), argv.data());
  return {std::move(command_line), captured.out(), captured.err()};
}

// ---- parse_command_line ----------------------------------------------------------------------

TEST(ParseCommandLine, ClusterIsRequired) {
  const Parsed parsed = parse({});
  EXPECT_EQ(parsed.command_line.early_exit, 2);
  EXPECT_THAT(parsed.err, HasSubstr("cluster"));
}

class InvalidClusterName : public ::testing::TestWithParam<std::string> {};

TEST_P(InvalidClusterName, IsUsageError) {
  EXPECT_EQ(parse({"-c", GetParam()}).command_line.early_exit, 2);
}

INSTANTIATE_TEST_SUITE_P(Names, InvalidClusterName,
                         ::testing::Values("a b", "a/b", "a.b", "", "a\"b", "a;b", "caf\xc3\xa9",
                                           "../etc"));

TEST(ParseCommandLine, AcceptsClusterOfLettersDigitsUnderscoreAndDash) {
  const Parsed parsed = parse({"-c", "main_2-x"});
  EXPECT_EQ(parsed.command_line.early_exit, std::nullopt) << parsed.err;
  EXPECT_EQ(parsed.command_line.options.cluster, "main_2-x");
}

TEST(ParseCommandLine, AppliesDefaults) {
  const Parsed parsed = parse({"-c", "main"});
  ASSERT_EQ(parsed.command_line.early_exit, std::nullopt) << parsed.err;
  const Options& options = parsed.command_line.options;
  // Unset here: repmgr.conf's conninfo, when given, comes before the built-in default.
  EXPECT_EQ(options.pgconnstring, std::nullopt);
  EXPECT_STREQ(default_pgconnstring, "host=/var/run/postgresql dbname=repmgr");
  EXPECT_EQ(options.repmgr_config, std::nullopt);
  EXPECT_EQ(options.event.event, std::nullopt);
  EXPECT_EQ(options.timeout_seconds, 2);
  EXPECT_EQ(options.jobs, 32);
  EXPECT_FALSE(options.public_net);
  EXPECT_EQ(options.ssh_key, std::nullopt);
  EXPECT_EQ(options.known_hosts, std::nullopt);
  EXPECT_EQ(options.verbosity, Verbosity::normal);
}

TEST(ParseCommandLine, ReadsLongOptions) {
  const Parsed parsed = parse({"--cluster", "main", "--pgconnstring", "host=db1 dbname=repmgr",
                               "--timeout", "5", "--public-net", "--ssh-key", "/keys/id",
                               "--known-hosts", "/keys/known", "--jobs", "4", "--verbose"});
  ASSERT_EQ(parsed.command_line.early_exit, std::nullopt) << parsed.err;
  const Options& options = parsed.command_line.options;
  EXPECT_EQ(options.cluster, "main");
  EXPECT_EQ(options.pgconnstring, "host=db1 dbname=repmgr");
  EXPECT_EQ(options.timeout_seconds, 5);
  EXPECT_TRUE(options.public_net);
  EXPECT_EQ(options.ssh_key, fs::path("/keys/id"));
  EXPECT_EQ(options.known_hosts, fs::path("/keys/known"));
  EXPECT_EQ(options.jobs, 4);
  EXPECT_EQ(options.verbosity, Verbosity::verbose);
}

TEST(ParseCommandLine, ReadsShortOptions) {
  const Parsed parsed = parse({"-c", "main", "-p", "host=db1", "-t", "7", "-P", "-j", "9", "-q"});
  ASSERT_EQ(parsed.command_line.early_exit, std::nullopt) << parsed.err;
  const Options& options = parsed.command_line.options;
  EXPECT_EQ(options.cluster, "main");
  EXPECT_EQ(options.pgconnstring, "host=db1");
  EXPECT_EQ(options.timeout_seconds, 7);
  EXPECT_TRUE(options.public_net);
  EXPECT_EQ(options.jobs, 9);
  EXPECT_EQ(options.verbosity, Verbosity::quiet);
}

TEST(ParseCommandLine, OptionGivenTwiceTakesLastValue) {
  const Parsed parsed = parse({"-c", "first", "-j", "2", "--cluster", "second", "-j", "5"});
  ASSERT_EQ(parsed.command_line.early_exit, std::nullopt) << parsed.err;
  EXPECT_EQ(parsed.command_line.options.cluster, "second");
  EXPECT_EQ(parsed.command_line.options.jobs, 5);
}

TEST(ParseCommandLine, ShortVerbose) {
  EXPECT_EQ(parse({"-c", "main", "-v"}).command_line.options.verbosity, Verbosity::verbose);
}

TEST(ParseCommandLine, VersionExitsZeroAndPrintsVersion) {
  const Parsed parsed = parse({"--version"});
  EXPECT_EQ(parsed.command_line.early_exit, 0);
  EXPECT_THAT(parsed.out + parsed.err, HasSubstr(std::string("pgdeploy ") + version));
}

TEST(ParseCommandLine, HelpExitsZero) {
  const Parsed parsed = parse({"--help"});
  EXPECT_EQ(parsed.command_line.early_exit, 0);
  EXPECT_THAT(parsed.out, HasSubstr("--cluster"));
}

TEST(ParseCommandLine, VerboseAndQuietTogetherIsUsageError) {
  const Parsed parsed = parse({"-c", "main", "-v", "-q"});
  EXPECT_EQ(parsed.command_line.early_exit, 2);
  EXPECT_THAT(parsed.err, HasSubstr("--verbose and --quiet"));
}

TEST(ParseCommandLine, UnknownOptionIsUsageError) {
  EXPECT_EQ(parse({"-c", "main", "--no-such-flag"}).command_line.early_exit, 2);
}

TEST(ParseCommandLine, OutOfRangeNumbersAreUsageErrors) {
  EXPECT_EQ(parse({"-c", "main", "-t", "0"}).command_line.early_exit, 2);
  EXPECT_EQ(parse({"-c", "main", "-t", "soon"}).command_line.early_exit, 2);
  EXPECT_EQ(parse({"-c", "main", "-j", "0"}).command_line.early_exit, 2);
  EXPECT_EQ(parse({"-c", "main", "-j", "1025"}).command_line.early_exit, 2);
}

TEST(ParseCommandLine, AcceptsRangeLimits) {
  const Parsed parsed = parse({"-c", "main", "-t", "3600", "-j", "1024"});
  ASSERT_EQ(parsed.command_line.early_exit, std::nullopt) << parsed.err;
  EXPECT_EQ(parsed.command_line.options.timeout_seconds, 3600);
  EXPECT_EQ(parsed.command_line.options.jobs, 1024);
}

// ---- options.hpp ---------------------------------------------------------------------------

TEST(IsValidClusterName, AcceptsAndRejects) {
  EXPECT_TRUE(is_valid_cluster_name("main"));
  EXPECT_TRUE(is_valid_cluster_name("Main_2-x"));
  EXPECT_FALSE(is_valid_cluster_name(""));
  EXPECT_FALSE(is_valid_cluster_name("a b"));
  EXPECT_FALSE(is_valid_cluster_name("a.b"));
  EXPECT_FALSE(is_valid_cluster_name("a/b"));
  EXPECT_FALSE(is_valid_cluster_name("caf\xc3\xa9"));
}

class SshDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "pgdeploy-ssh-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    ssh_dir = pattern;
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(ssh_dir, ignored);
  }
  void touch(const std::string& name) const { std::ofstream(ssh_dir / name) << "key\n"; }

  fs::path ssh_dir;
  Options options;
};

TEST_F(SshDirTest, PrefersEd25519OverRsa) {
  touch("id_rsa");
  touch("id_ed25519");
  EXPECT_EQ(resolve_ssh_key(options, ssh_dir), ssh_dir / "id_ed25519");
}

TEST_F(SshDirTest, PrefersEcdsaOverRsa) {
  touch("id_rsa");
  touch("id_ecdsa");
  EXPECT_EQ(resolve_ssh_key(options, ssh_dir), ssh_dir / "id_ecdsa");
}

TEST_F(SshDirTest, FallsBackToRsa) {
  touch("id_rsa");
  EXPECT_EQ(resolve_ssh_key(options, ssh_dir), ssh_dir / "id_rsa");
}

TEST_F(SshDirTest, ExplicitKeyWins) {
  touch("id_ed25519");
  options.ssh_key = "/elsewhere/deploy_key";
  EXPECT_EQ(resolve_ssh_key(options, ssh_dir), fs::path("/elsewhere/deploy_key"));
}

TEST_F(SshDirTest, NoKeyIsUsageError) {
  touch("id_dsa");
  try {
    resolve_ssh_key(options, ssh_dir);
    FAIL() << "expected pgdeploy::Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), ExitCode::usage);
    EXPECT_THAT(e.what(), HasSubstr("--ssh-key"));
  }
}

TEST_F(SshDirTest, MissingDirectoryIsUsageError) {
  try {
    resolve_ssh_key(options, ssh_dir / "absent");
    FAIL() << "expected pgdeploy::Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), ExitCode::usage);
  }
}

TEST_F(SshDirTest, KnownHostsDefaultsToSshDir) {
  EXPECT_EQ(resolve_known_hosts(options, ssh_dir), ssh_dir / "known_hosts");
}

TEST_F(SshDirTest, ExplicitKnownHostsWins) {
  options.known_hosts = "/etc/pgdeploy/known_hosts";
  EXPECT_EQ(resolve_known_hosts(options, ssh_dir), fs::path("/etc/pgdeploy/known_hosts"));
}

TEST(UserSshDir, IsUnderHome) {
  const char* home = std::getenv("HOME");
  const std::string saved = home != nullptr ? home : "";
  setenv("HOME", "/home/deploy", 1);
  const fs::path dir = user_ssh_dir();
  if (home != nullptr) {
    setenv("HOME", saved.c_str(), 1);
  } else {
    unsetenv("HOME");
  }
  EXPECT_EQ(dir, fs::path("/home/deploy/.ssh"));
}

TEST(UserSshDir, FallsBackToPasswordDatabaseWithoutHome) {
  const char* home = std::getenv("HOME");
  const std::string saved = home != nullptr ? home : "";
  unsetenv("HOME");
  const fs::path dir = user_ssh_dir();
  if (home != nullptr) {
    setenv("HOME", saved.c_str(), 1);
  }
  const passwd* entry = getpwuid(getuid());
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(dir, fs::path(entry->pw_dir) / ".ssh");
}

TEST(ParseCommandLine, ReadsTheDocumentedRepmgrHookLine) {
  const Parsed parsed = parse({"-c", "main", "-f", "/etc/repmgr/repmgr.conf",
                               "--event=standby_promote", "--node-id=2", "--success=1",
                               "--details=server \"node2\" (ID: 2) was successfully promoted"});
  ASSERT_EQ(parsed.command_line.early_exit, std::nullopt) << parsed.err;
  const Options& options = parsed.command_line.options;
  EXPECT_EQ(options.repmgr_config, std::filesystem::path("/etc/repmgr/repmgr.conf"));
  EXPECT_EQ(options.event.event, "standby_promote");
  EXPECT_EQ(options.event.node_id, 2);
  EXPECT_EQ(options.event.success, "1");
  EXPECT_EQ(options.event.details, "server \"node2\" (ID: 2) was successfully promoted");
}

TEST(ParseCommandLine, NonNumericNodeIdIsUsageError) {
  EXPECT_EQ(parse({"-c", "main", "--event=standby_promote", "--node-id=two"}).command_line.early_exit,
            2);
}

}  // namespace
}  // namespace pgdeploy
