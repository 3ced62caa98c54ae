#include "cli/command_line.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <spdlog/spdlog.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "cli/logging.hpp"
#include "cli/options.hpp"
#include "pgdeploy/version.hpp"
#include "util/errors.hpp"
#include "util/failure.hpp"

namespace pgdeploy {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

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
  std::optional<int> exit_code;  // set when the run ends: 0 after help or the version
  std::string out;
  std::string err;  // with the error as report_failure() prints it
};

// parse_command_line(ARGS, DEFAULT_CONFIG) as the programs run it: what it throws is printed by
// report_failure() on stderr, the log set up as at the start of a run.
Parsed parse_as_program(std::vector<std::string> args, const fs::path& default_config) {
  args.insert(args.begin(), "pgdeploy");
  std::vector<const char*> argv;
  for (const auto& arg : args) {
    argv.push_back(arg.c_str());
  }
  const auto previous_logger = spdlog::default_logger();
  setup_logging(Verbosity::normal);
  Parsed parsed;
  {
    const CapturedOutput captured;
    ::testing::internal::CaptureStderr();
    try {
      parsed.command_line =
          parse_command_line(static_cast<int>(argv.size()), argv.data(), default_config);
      if (parsed.command_line.early_end != EarlyEnd::none) {
        parsed.exit_code = 0;
      }
    } catch (...) {
      parsed.exit_code = static_cast<int>(report_failure().code);
    }
    parsed.out = captured.out();
    parsed.err = captured.err() + ::testing::internal::GetCapturedStderr();
  }
  spdlog::set_default_logger(previous_logger);
  return parsed;
}

Parsed parse(std::vector<std::string> args) {
  return parse_as_program(std::move(args), default_config_path);
}

// ---- parse_command_line ----------------------------------------------------------------------

TEST(ParseCommandLine, ClusterIsRequired) {
  const Parsed parsed = parse_as_program({}, "/nonexistent/pgdeploy.ini");
  EXPECT_EQ(parsed.exit_code, 2);
  EXPECT_THAT(parsed.err, HasSubstr("no cluster given: pass -c CLUSTER, or set cluster = CLUSTER "
                                    "in the [pgdeploy] section of /nonexistent/pgdeploy.ini"));
}

TEST(ParseCommandLine, AnUnknownOptionIsNamedBeforeTheMissingCluster) {
  const Parsed parsed = parse_as_program({"--bogus"}, "/nonexistent/pgdeploy.ini");
  EXPECT_EQ(parsed.exit_code, 2);
  EXPECT_THAT(parsed.err, HasSubstr("--bogus"));
  EXPECT_THAT(parsed.err, Not(HasSubstr("cluster")));
}

class InvalidClusterName : public ::testing::TestWithParam<std::string> {};

TEST_P(InvalidClusterName, IsUsageError) { EXPECT_EQ(parse({"-c", GetParam()}).exit_code, 2); }

INSTANTIATE_TEST_SUITE_P(Names, InvalidClusterName,
                         ::testing::Values("a b", "a/b", "a.b", "", "a\"b", "a;b", "caf\xc3\xa9",
                                           "../etc"));

TEST(ParseCommandLine, AcceptsClusterOfLettersDigitsUnderscoreAndDash) {
  const Parsed parsed = parse({"-c", "main_2-x"});
  EXPECT_EQ(parsed.exit_code, std::nullopt) << parsed.err;
  EXPECT_EQ(parsed.command_line.options.cluster, "main_2-x");
}

TEST(ParseCommandLine, AppliesDefaults) {
  const Parsed parsed = parse({"-c", "main"});
  ASSERT_EQ(parsed.exit_code, std::nullopt) << parsed.err;
  const Options& options = parsed.command_line.options;
  // Unset here: repmgr.conf's conninfo, when given, comes before the built-in default.
  EXPECT_EQ(options.pgconnstring, std::nullopt);
  EXPECT_STREQ(default_pgconnstring, "host=/var/run/postgresql dbname=repmgr");
  EXPECT_EQ(options.repmgr_config, std::nullopt);
  EXPECT_EQ(options.event.event, std::nullopt);
  EXPECT_EQ(options.timeout_seconds, 2);
  EXPECT_EQ(options.host_timeout_seconds, std::nullopt) << "5 x -t";
  EXPECT_EQ(options.run_timeout_seconds, 60);
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
  ASSERT_EQ(parsed.exit_code, std::nullopt) << parsed.err;
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
  ASSERT_EQ(parsed.exit_code, std::nullopt) << parsed.err;
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
  ASSERT_EQ(parsed.exit_code, std::nullopt) << parsed.err;
  EXPECT_EQ(parsed.command_line.options.cluster, "second");
  EXPECT_EQ(parsed.command_line.options.jobs, 5);
}

TEST(ParseCommandLine, ShortVerbose) {
  EXPECT_EQ(parse({"-c", "main", "-v"}).command_line.options.verbosity, Verbosity::verbose);
}

TEST(ParseCommandLine, VersionExitsZeroAndPrintsVersion) {
  const Parsed parsed = parse({"--version"});
  EXPECT_EQ(parsed.exit_code, 0);
  EXPECT_THAT(parsed.out + parsed.err, HasSubstr(std::string("pgdeploy ") + version));
}

TEST(ParseCommandLine, HelpExitsZero) {
  const Parsed parsed = parse({"--help"});
  EXPECT_EQ(parsed.exit_code, 0);
  EXPECT_THAT(parsed.out, HasSubstr("--cluster"));
}

// Every line fits 80 columns, and every description starts in the description column.
TEST(ParseCommandLine, HelpIsAlignedWithin80Columns) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--help"}, {"status", "--help"}, {"doctor", "--help"}}) {
    const std::string help = parse(args).out;
    std::istringstream lines(help);
    std::string line;
    while (std::getline(lines, line)) {
      EXPECT_LE(line.size(), 80U) << line;
      EXPECT_THAT(line, Not(HasSubstr("Excludes:"))) << line;
      EXPECT_THAT(line, Not(HasSubstr("(Env:"))) << line;
      if (args.size() == 1 && line.starts_with("  ") && line.size() > 30) {
        EXPECT_EQ(line[29], ' ') << line;
        EXPECT_NE(line[30], ' ') << line;
      }
    }
  }
}

TEST(ParseCommandLine, VerboseAndQuietTogetherIsUsageError) {
  const Parsed parsed = parse({"-c", "main", "-v", "-q"});
  EXPECT_EQ(parsed.exit_code, 2);
  EXPECT_THAT(parsed.err, HasSubstr("--verbose and --quiet"));
}

TEST(ParseCommandLine, OnlyTheFirstOfSeveralErrorsIsPrinted) {
  const Parsed parsed = parse({"status", "-c", "main", "-v", "-q", "--dry-run"});
  EXPECT_EQ(parsed.exit_code, 2);
  EXPECT_EQ(parsed.err, "pgdeploy: error: --verbose and --quiet exclude each other\n");
}

TEST(ParseCommandLine, ParseErrorsArePrintedLikeEveryOtherError) {
  const Parsed parsed = parse({"-c", "main", "--no-such-flag"});
  EXPECT_EQ(parsed.exit_code, 2);
  EXPECT_EQ(parsed.err,
            "pgdeploy: error: unknown option --no-such-flag (pgdeploy --help lists the "
            "options)\n");
}

TEST(ParseCommandLine, StatusWatchTakesAnIntervalOrDefaultsToTwoSeconds) {
  EXPECT_FALSE(parse({"status", "-c", "main"}).command_line.options.watch_seconds);
  EXPECT_EQ(parse({"status", "--watch", "-c", "main"}).command_line.options.watch_seconds, 2);
  EXPECT_EQ(parse({"status", "--watch", "5", "-c", "main"}).command_line.options.watch_seconds, 5);
  EXPECT_EQ(parse({"-c", "main", "status", "--watch"}).command_line.options.watch_seconds, 2);
  const Parsed zero = parse({"status", "--watch", "0", "-c", "main"});
  EXPECT_EQ(zero.exit_code, 2);
  EXPECT_THAT(zero.err, HasSubstr("--watch: expected a whole number of seconds from 1 to 86400, "
                                  "got \"0\""));
  const Parsed deploying = parse({"-c", "main", "--watch"});
  EXPECT_EQ(deploying.exit_code, 2) << "only status watches";
  EXPECT_THAT(deploying.err, HasSubstr("unknown option --watch"));
}

TEST(ParseCommandLine, AnUnknownSubcommandNamesTheSubcommands) {
  const Parsed parsed = parse({"-c", "main", "stauts"});
  EXPECT_EQ(parsed.exit_code, 2);
  EXPECT_THAT(parsed.err, HasSubstr("pgdeploy: error: unknown subcommand stauts: the subcommands "
                                    "are status, doctor and agent; without one, pgdeploy deploys"));
}

TEST(ParseCommandLine, TheAgentTakesItsOwnOptionsAndTheEtcdOnes) {
  const Parsed parsed =
      parse({"agent", "-c", "main", "--etcd", "http://127.0.0.1:2379", "--name", "app1",
             "--config-dir", "/etc/pgbouncer/main", "--admin-conninfo", "port=6432", "--once"});
  ASSERT_FALSE(parsed.exit_code) << parsed.err;
  const Options& options = parsed.command_line.options;
  EXPECT_EQ(options.command, Command::agent);
  EXPECT_EQ(options.etcd.endpoints, std::vector<std::string>{"http://127.0.0.1:2379"});
  EXPECT_EQ(options.agent.name, std::optional<std::string>("app1"));
  EXPECT_EQ(options.agent.config_dir, std::optional<std::string>("/etc/pgbouncer/main"));
  EXPECT_EQ(options.agent.admin_conninfo, std::optional<std::string>("port=6432"));
  EXPECT_FALSE(options.agent.reload_command);
  EXPECT_TRUE(options.agent.once);
  EXPECT_EQ(options.agent.reread_seconds, 30);
  EXPECT_FALSE(
      parse({"agent", "-c", "main", "--etcd", "http://h:2379"}).command_line.options.agent.once);
}

TEST(ParseCommandLine, TheAgentRereadsEverySecondsGiven) {
  EXPECT_EQ(parse({"agent", "-c", "main", "--etcd", "http://h:2379", "--reread", "300",
                   "--reload-command", "true"})
                .command_line.options.agent.reread_seconds,
            300);
  EXPECT_THAT(parse({"agent", "-c", "main", "--etcd", "http://h:2379", "--reread", "0"}).err,
              HasSubstr("--reread: expected a whole number of seconds from 1 to 86400, got "
                        "\"0\""));
}

TEST(ParseCommandLine, TheAgentNeedsEtcdAndOneWayToReload) {
  Parsed parsed = parse({"agent", "-c", "main"});
  EXPECT_EQ(parsed.exit_code, 2);
  EXPECT_THAT(parsed.err, HasSubstr("agent needs --etcd URL[,URL...]"));
  parsed = parse({"agent", "-c", "main", "--etcd", "http://h:2379", "--admin-conninfo", "port=1",
                  "--reload-command", "true"});
  EXPECT_EQ(parsed.exit_code, 2);
  EXPECT_THAT(parsed.err, HasSubstr("excludes"));
  EXPECT_EQ(
      parse({"agent", "-c", "main", "--etcd", "http://h:2379", "--config-dir", "rel"}).exit_code,
      2);
}

TEST(ParseCommandLine, ANumberOutOfRangeOrNoNumberAtAllSaysWhatIsExpected) {
  EXPECT_THAT(parse({"-c", "main", "-t", "abc"}).err,
              HasSubstr("--timeout: expected a whole number of seconds from 1 to 3600, got "
                        "\"abc\""));
  EXPECT_THAT(parse({"-c", "main", "-t", "0"}).err,
              HasSubstr("--timeout: expected a whole number of seconds from 1 to 3600, got \"0\""));
  EXPECT_THAT(parse({"-c", "main", "-j", "2000"}).err,
              HasSubstr("--jobs: expected a whole number of app servers from 1 to 1024"));
  EXPECT_THAT(parse({"-c", "main", "--lock-wait", "-1"}).err,
              HasSubstr("--lock-wait: expected a whole number of seconds from 0 to 3600"));
}

TEST(ParseCommandLine, AnUnknownSessionsValueListsTheValues) {
  const Parsed parsed = parse({"-c", "main", "--sessions", "foo"});
  EXPECT_EQ(parsed.exit_code, 2);
  EXPECT_THAT(parsed.err,
              HasSubstr("--sessions: expected auto, keep, reconnect or kill, got \"foo\""));
  EXPECT_THAT(parsed.err, Not(HasSubstr("->")));
  EXPECT_EQ(parse({"-c", "main", "--sessions", "KILL"}).command_line.options.sessions,
            Sessions::kill);
}

TEST(ParseCommandLine, SubcommandHelpListsTheOptionsThatApply) {
  for (const char* subcommand : {"status", "doctor"}) {
    const Parsed parsed = parse({subcommand, "--help"});
    EXPECT_EQ(parsed.exit_code, 0);
    EXPECT_THAT(parsed.out, HasSubstr("-c CLUSTER, -f REPMGR_CONF, -p CONNINFO")) << subcommand;
    EXPECT_THAT(parsed.out, HasSubstr("--known-hosts PATH")) << subcommand;
  }
  EXPECT_THAT(parse({"doctor", "--help"}).out, HasSubstr("-P (--public-net)"));
}

TEST(ParseCommandLine, UnknownOptionIsUsageError) {
  EXPECT_EQ(parse({"-c", "main", "--no-such-flag"}).exit_code, 2);
}

TEST(ParseCommandLine, OutOfRangeNumbersAreUsageErrors) {
  EXPECT_EQ(parse({"-c", "main", "-t", "0"}).exit_code, 2);
  EXPECT_EQ(parse({"-c", "main", "-t", "soon"}).exit_code, 2);
  EXPECT_EQ(parse({"-c", "main", "-j", "0"}).exit_code, 2);
  EXPECT_EQ(parse({"-c", "main", "-j", "1025"}).exit_code, 2);
  EXPECT_EQ(parse({"-c", "main", "--host-timeout", "0"}).exit_code, 2);
  EXPECT_EQ(parse({"-c", "main", "--run-timeout", "0"}).exit_code, 2);
  EXPECT_EQ(parse({"-c", "main", "--run-timeout", "86401"}).exit_code, 2);
}

TEST(ParseCommandLine, AcceptsRangeLimits) {
  const Parsed parsed = parse(
      {"-c", "main", "-t", "3600", "-j", "1024", "--host-timeout", "86400", "--run-timeout", "1"});
  ASSERT_EQ(parsed.exit_code, std::nullopt) << parsed.err;
  EXPECT_EQ(parsed.command_line.options.timeout_seconds, 3600);
  EXPECT_EQ(parsed.command_line.options.jobs, 1024);
  EXPECT_EQ(parsed.command_line.options.host_timeout_seconds, 86400);
  EXPECT_EQ(parsed.command_line.options.run_timeout_seconds, 1);
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
  ASSERT_EQ(parsed.exit_code, std::nullopt) << parsed.err;
  const Options& options = parsed.command_line.options;
  EXPECT_EQ(options.repmgr_config, std::filesystem::path("/etc/repmgr/repmgr.conf"));
  EXPECT_EQ(options.event.event, "standby_promote");
  EXPECT_EQ(options.event.node_id, 2);
  EXPECT_EQ(options.event.success, "1");
  EXPECT_EQ(options.event.details, "server \"node2\" (ID: 2) was successfully promoted");
}

TEST(ParseCommandLine, NonNumericNodeIdIsUsageError) {
  EXPECT_EQ(parse({"-c", "main", "--event=standby_promote", "--node-id=two"}).exit_code, 2);
}

// ---- configuration file --------------------------------------------------------------------

// Every field of OPTIONS, to compare two parses.
std::string describe(const Options& options) {
  std::ostringstream out;
  const auto text = [](const auto& value) {
    std::ostringstream field;
    if (value) {
      field << '"' << *value << '"';
    } else {
      field << "unset";
    }
    return field.str();
  };
  out << "cluster=" << options.cluster << " pgconnstring=" << text(options.pgconnstring)
      << " repmgr_config=" << text(options.repmgr_config) << " timeout=" << options.timeout_seconds
      << " host_timeout=" << text(options.host_timeout_seconds)
      << " run_timeout=" << options.run_timeout_seconds << " public_net=" << options.public_net
      << " ssh_key=" << text(options.ssh_key) << " known_hosts=" << text(options.known_hosts)
      << " jobs=" << options.jobs << " force=" << options.force
      << " verbosity=" << static_cast<int>(options.verbosity) << " syslog=" << options.syslog
      << " event=" << text(options.event.event) << " node_id=" << text(options.event.node_id)
      << " success=" << text(options.event.success) << " details=" << options.event.details
      << " mode=" << static_cast<int>(options.mode) << " json=" << options.json
      << " metrics_file=" << text(options.metrics_file)
      << " config_file=" << text(options.config_file) << " lock_wait=" << options.lock_wait_seconds
      << " lock_dir=" << text(options.lock_dir)
      << " sessions=" << static_cast<int>(options.sessions) << " pause=" << options.pause
      << " sync_userlist=" << text(options.sync_userlist) << " sync_pgpass=" << options.sync_pgpass
      << " ro_suffix=" << text(options.ro_suffix)
      << " exclude_databases=" << options.exclude_databases.size()
      << " etcd=" << options.etcd.endpoints.size() << " etcd_prefix=" << options.etcd.prefix
      << " etcd_cacert=" << text(options.etcd.cacert) << " etcd_cert=" << text(options.etcd.cert)
      << " etcd_key=" << text(options.etcd.key) << " etcd_user=" << text(options.etcd.user)
      << " etcd_password_file=" << text(options.etcd.password_file)
      << " wait_agents=" << text(options.etcd.wait_agents);
  return out.str();
}

class ParseCommandLineConfig : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "pgdeploy-config-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir = pattern;
    default_config = dir / "pgdeploy.ini";
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
  }

  static void write(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }

  // parse_command_line with DEFAULT_CONFIG as the default configuration file.
  [[nodiscard]] Parsed parse_with(std::vector<std::string> args) const {
    return parse_as_program(std::move(args), default_config);
  }

  // The options from the default file holding TEXT and the command line ARGS.
  [[nodiscard]] Options options_with(const std::string& text, std::vector<std::string> args) const {
    write(default_config, text);
    const Parsed parsed = parse_with(std::move(args));
    EXPECT_EQ(parsed.exit_code, std::nullopt) << parsed.err;
    return parsed.command_line.options;
  }

  fs::path dir;
  fs::path default_config;
};

TEST_F(ParseCommandLineConfig, ReadsDefaultFileWhenItExists) {
  const Options options = options_with(
      "; pgdeploy settings\n"
      "# for every cluster\n"
      "\n"
      "[pgdeploy]\n"
      "ssh-key = /etc/pgdeploy/id_ed25519\n"
      "known-hosts = /etc/pgdeploy/known_hosts\n"
      "pgconnstring = host=db1 dbname=repmgr\n"
      "timeout = 3\n",
      {"-c", "main"});
  EXPECT_EQ(options.ssh_key, fs::path("/etc/pgdeploy/id_ed25519"));
  EXPECT_EQ(options.known_hosts, fs::path("/etc/pgdeploy/known_hosts"));
  EXPECT_EQ(options.pgconnstring, "host=db1 dbname=repmgr");
  EXPECT_EQ(options.timeout_seconds, 3);
  EXPECT_EQ(options.config_file, std::nullopt);
}

TEST_F(ParseCommandLineConfig, AbsentDefaultFileIsNoError) {
  const Parsed parsed = parse_with({"-c", "main"});
  ASSERT_EQ(parsed.exit_code, std::nullopt) << parsed.err;
  EXPECT_EQ(describe(parsed.command_line.options),
            describe(parse({"-c", "main"}).command_line.options));
}

TEST_F(ParseCommandLineConfig, ClusterSectionOverridesGlobalSection) {
  const Options options = options_with(
      "[cluster main]\n"
      "timeout = 5\n"
      "[pgdeploy]\n"
      "timeout = 3\n"
      "jobs = 4\n"
      "[cluster other]\n"
      "jobs = 9\n"
      "ro-suffix = _other\n",
      {"-c", "main"});
  EXPECT_EQ(options.timeout_seconds, 5);
  EXPECT_EQ(options.jobs, 4);
  EXPECT_EQ(options.ro_suffix, std::nullopt);
}

TEST_F(ParseCommandLineConfig, FindsTheClusterInEverySpelling) {
  write(default_config, "[pgdeploy]\ntimeout = 3\n[cluster main]\ntimeout = 5\n");
  const std::vector<std::vector<std::string>> spellings{
      {"-c", "main"},     {"-cmain"},  {"--cluster", "main"},
      {"--cluster=main"}, {"-vcmain"}, {"-c", "other", "--cluster=main"}};
  for (const auto& args : spellings) {
    const Parsed parsed = parse_with(args);
    ASSERT_EQ(parsed.exit_code, std::nullopt) << args[0] << ": " << parsed.err;
    EXPECT_EQ(parsed.command_line.options.cluster, "main") << args[0];
    EXPECT_EQ(parsed.command_line.options.timeout_seconds, 5) << args[0];
  }
}

TEST_F(ParseCommandLineConfig, CommandLineWinsOverBothSections) {
  const Options options = options_with(
      "[pgdeploy]\n"
      "timeout = 3\n"
      "ssh-key = /file/key\n"
      "jobs = 4\n"
      "[cluster main]\n"
      "timeout = 5\n"
      "sessions = kill\n",
      {"-c", "main", "-t", "7", "--ssh-key=/cli/key", "--sessions", "keep"});
  EXPECT_EQ(options.timeout_seconds, 7);
  EXPECT_EQ(options.ssh_key, fs::path("/cli/key"));
  EXPECT_EQ(options.sessions, Sessions::keep);
  EXPECT_EQ(options.jobs, 4);
}

TEST_F(ParseCommandLineConfig, SyncUserlistWithoutPathMeansTheDefaultPath) {
  EXPECT_EQ(options_with("[pgdeploy]\nsync-userlist =\n", {"-c", "main"}).sync_userlist,
            default_userlist_path);
  EXPECT_EQ(
      options_with("[pgdeploy]\nsync-userlist = /srv/userlist.txt\n", {"-c", "main"}).sync_userlist,
      "/srv/userlist.txt");
  EXPECT_EQ(options_with("[pgdeploy]\nsync-userlist = /srv/userlist.txt\n",
                         {"-c", "main", "--sync-userlist"})
                .sync_userlist,
            default_userlist_path);
}

TEST_F(ParseCommandLineConfig, FlagsTakeTrueOrFalse) {
  const Options options = options_with(
      "[pgdeploy]\n"
      "json = true\n"
      "dry-run = yes\n"
      "pause = 1\n"
      "public-net = On\n"
      "syslog = TRUE\n"
      "sync-pgpass = true\n"
      "[cluster main]\n"
      "syslog = false\n"
      "sync-pgpass = no\n"
      "pause = 0\n"
      "dry-run = off\n",
      {"-c", "main"});
  EXPECT_TRUE(options.json);
  EXPECT_TRUE(options.public_net);
  EXPECT_EQ(options.mode, Mode::deploy);
  EXPECT_FALSE(options.pause);
  EXPECT_FALSE(options.syslog);
  EXPECT_FALSE(options.sync_pgpass);
}

TEST_F(ParseCommandLineConfig, CommandLineFlagWinsOverFileFalse) {
  EXPECT_TRUE(options_with("[pgdeploy]\njson = false\n", {"-c", "main", "--json"}).json);
  EXPECT_FALSE(options_with("[pgdeploy]\njson = true\n", {"-c", "main", "--json=false"}).json);
}

TEST_F(ParseCommandLineConfig, LaterOfTwoExclusiveFlagsWins) {
  EXPECT_EQ(options_with("[pgdeploy]\nverbose = true\n", {"-c", "main", "-q"}).verbosity,
            Verbosity::quiet);
  EXPECT_EQ(options_with("[pgdeploy]\nquiet = true\n", {"-c", "main", "--verbose"}).verbosity,
            Verbosity::verbose);
  EXPECT_EQ(options_with("[pgdeploy]\ncheck = true\n", {"-c", "main", "--dry-run"}).mode,
            Mode::dry_run);
  EXPECT_EQ(
      options_with("[pgdeploy]\ndry-run = true\n[cluster main]\ncheck = true\n", {"-c", "main"})
          .mode,
      Mode::check);
  // Setting the rival false changes nothing.
  EXPECT_EQ(
      options_with("[pgdeploy]\nverbose = true\n[cluster main]\nquiet = false\n", {"-c", "main"})
          .verbosity,
      Verbosity::verbose);
}

TEST_F(ParseCommandLineConfig, ExclusiveFlagsBothInOneSectionTakeTheLater) {
  EXPECT_EQ(options_with("[pgdeploy]\nverbose = true\nquiet = true\n", {"-c", "main"}).verbosity,
            Verbosity::quiet);
}

TEST_F(ParseCommandLineConfig, UnknownKeyNamesFileLineAndKey) {
  write(default_config, "[pgdeploy]\njobs = 4\n\nssh_key = /k\n");
  const Parsed parsed = parse_with({"-c", "main"});
  EXPECT_EQ(parsed.exit_code, 2);
  EXPECT_THAT(parsed.err,
              HasSubstr("pgdeploy: error: " + default_config.string() + ":4: unknown key ssh_key"));
}

TEST_F(ParseCommandLineConfig, UnknownKeyInClusterSectionNamesItsLine) {
  write(default_config, "[pgdeploy]\njobs = 4\n[cluster main]\nworkers = 4\n");
  const Parsed parsed = parse_with({"-c", "main"});
  EXPECT_EQ(parsed.exit_code, 2);
  EXPECT_THAT(parsed.err, HasSubstr(default_config.string() + ":4: unknown key workers"));
}

TEST_F(ParseCommandLineConfig, CommandLineOnlyOptionsAreUnknownKeys) {
  for (const std::string key : {"config", "help", "version", "c", "h", "-c", "t"}) {
    write(default_config, "[pgdeploy]\n" + key + " = main\n");
    const Parsed parsed = parse_with({"-c", "main"});
    EXPECT_EQ(parsed.exit_code, 2) << key;
    EXPECT_THAT(parsed.err, HasSubstr(default_config.string() + ":2: unknown key " + key));
  }
}

TEST_F(ParseCommandLineConfig, ClusterInThePgdeploySectionIsTheDefaultCluster) {
  write(default_config,
        "[pgdeploy]\ncluster = main\ntimeout = 7\n[cluster main]\njobs = 3\n"
        "[cluster other]\njobs = 4\n");
  const Parsed parsed = parse_with({"status"});
  ASSERT_EQ(parsed.exit_code, std::nullopt) << parsed.err;
  EXPECT_EQ(parsed.command_line.options.cluster, "main");
  EXPECT_EQ(parsed.command_line.options.timeout_seconds, 7);
  EXPECT_EQ(parsed.command_line.options.jobs, 3) << "and its [cluster main] section applies";
  const Options other = options_with(
      "[pgdeploy]\ncluster = main\n[cluster main]\njobs = 3\n[cluster other]\njobs = 4\n",
      {"-c", "other"});
  EXPECT_EQ(other.cluster, "other") << "-c wins";
  EXPECT_EQ(other.jobs, 4);
}

TEST_F(ParseCommandLineConfig, ClusterInAClusterSectionIsRefused) {
  write(default_config, "[cluster main]\ncluster = main\n");
  const Parsed parsed = parse_with({"-c", "main"});
  EXPECT_EQ(parsed.exit_code, 2);
  EXPECT_THAT(parsed.err, HasSubstr(default_config.string() + ":2: cluster belongs in [pgdeploy]"));
}

TEST_F(ParseCommandLineConfig, InvalidDefaultClusterNamesTheLine) {
  write(default_config, "[pgdeploy]\n\ncluster = ../etc\n");
  const Parsed parsed = parse_with({});
  EXPECT_EQ(parsed.exit_code, 2);
  EXPECT_THAT(parsed.err, HasSubstr(default_config.string() +
                                    ":3: cluster name must match [A-Za-z0-9_-]+: ../etc"));
}

TEST_F(ParseCommandLineConfig, FileWithoutClusterSaysWhereToSetIt) {
  write(default_config, "[pgdeploy]\ntimeout = 7\n");
  const Parsed parsed = parse_with({});
  EXPECT_EQ(parsed.exit_code, 2);
  EXPECT_THAT(parsed.err, HasSubstr("set cluster = CLUSTER in the [pgdeploy] section of " +
                                    default_config.string()));
}

TEST(ParseCommandLine, ExcludeDatabasesIsACommaSeparatedList) {
  EXPECT_THAT(parse({"-c", "main"}).command_line.options.exclude_databases, IsEmpty());
  EXPECT_THAT(parse({"-c", "main", "--exclude-databases", " postgres, repmgr ,,"})
                  .command_line.options.exclude_databases,
              ElementsAre("postgres", "repmgr"));
}

TEST(ParseCommandLine, MetricsFileInADirectoryThatDoesNotExistIsRefused) {
  const Parsed parsed = parse({"-c", "main", "--metrics-file", "/nonexistent/dir/pgdeploy.prom"});
  EXPECT_EQ(parsed.exit_code, 2);
  EXPECT_THAT(parsed.err, HasSubstr("the directory of /nonexistent/dir/pgdeploy.prom does not "
                                    "exist"));
  EXPECT_EQ(parse({"-c", "main", "--metrics-file", "/tmp/pgdeploy.prom"})
                .command_line.options.metrics_file,
            std::filesystem::path("/tmp/pgdeploy.prom"));
}

TEST(ParseCommandLine, LockDirFromTheOptionOrTheEnvironment) {
  EXPECT_EQ(parse({"-c", "main"}).command_line.options.lock_dir, std::nullopt);
  EXPECT_EQ(parse({"-c", "main", "--lock-dir", "/tmp/locks"}).command_line.options.lock_dir,
            std::filesystem::path("/tmp/locks"));
  ::setenv("PGDEPLOY_LOCK_DIR", "/tmp/env-locks", 1);
  const auto from_env = parse({"-c", "main"}).command_line.options.lock_dir;
  const auto option_wins =
      parse({"-c", "main", "--lock-dir=/tmp/locks"}).command_line.options.lock_dir;
  ::unsetenv("PGDEPLOY_LOCK_DIR");
  EXPECT_EQ(from_env, std::filesystem::path("/tmp/env-locks"));
  EXPECT_EQ(option_wins, std::filesystem::path("/tmp/locks"));
  EXPECT_EQ(parse({"-c", "main", "--lock-dir", "locks"}).exit_code, 2);
}

TEST_F(ParseCommandLineConfig, ForceIsRefusedInTheFileWithFileAndLine) {
  for (const std::string value : {"true", "false", "yes", ""}) {
    write(default_config, "[pgdeploy]\njobs = 4\n[cluster main]\nforce = " + value + "\n");
    const Parsed parsed = parse_with({"-c", "main"});
    EXPECT_EQ(parsed.exit_code, 2) << value;
    EXPECT_THAT(parsed.err, HasSubstr("pgdeploy: error: " + default_config.string() +
                                      ":4: force may not be set in a configuration file"))
        << value;
  }
  // Nor when the command line gives --force as well: the file is wrong either way.
  write(default_config, "[pgdeploy]\nforce = true\n");
  EXPECT_EQ(parse_with({"-c", "main", "--force"}).exit_code, 2);
}

TEST_F(ParseCommandLineConfig, InvalidValueNamesFileLineAndKey) {
  const std::vector<std::pair<std::string, std::string>> invalid{
      {"timeout", "abc"},    {"timeout", "0"},    {"jobs", "0"},      {"jobs", "1025"},
      {"sessions", "maybe"}, {"lock-wait", "-1"}, {"node-id", "two"}, {"ssh-key", ""},
      {"json", "maybe"},     {"pause", ""},       {"verbose", "2"},   {"lock-dir", "run"},
      {"lock-dir", ""}};
  for (const auto& [key, value] : invalid) {
    write(default_config, "[pgdeploy]\njobs = 4\n[cluster main]\n" + key + " = " + value + "\n");
    const Parsed parsed = parse_with({"-c", "main"});
    EXPECT_EQ(parsed.exit_code, 2) << key << " = " << value;
    EXPECT_THAT(parsed.err, HasSubstr("pgdeploy: error: " + default_config.string() +
                                      ":4: invalid value for " + key))
        << key << " = " << value;
  }
}

TEST_F(ParseCommandLineConfig, SyntaxErrorNamesFileAndLine) {
  write(default_config, "[pgdeploy]\njobs = 4\nnonsense\n");
  const Parsed parsed = parse_with({"-c", "main"});
  EXPECT_EQ(parsed.exit_code, 2);
  EXPECT_THAT(parsed.err, HasSubstr("pgdeploy: error: " + default_config.string() + ":3: "));
}

TEST_F(ParseCommandLineConfig, MissingExplicitConfigIsUsageErrorNamingIt) {
  const fs::path absent = dir / "absent.ini";
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"-c", "main", "--config", absent.string()},
                                             {"--config=" + absent.string(), "-c", "main"}}) {
    const Parsed parsed = parse_with(args);
    EXPECT_EQ(parsed.exit_code, 2);
    EXPECT_THAT(parsed.err, HasSubstr("pgdeploy: error: "));
    EXPECT_THAT(parsed.err, HasSubstr(absent.string()));
  }
}

TEST_F(ParseCommandLineConfig, ExplicitConfigReplacesTheDefault) {
  write(default_config, "[pgdeploy]\nno-such-key = 1\n");
  const fs::path other = dir / "other.ini";
  write(other, "[pgdeploy]\njobs = 5\n");
  const Parsed parsed = parse_with({"-c", "main", "--config", other.string()});
  ASSERT_EQ(parsed.exit_code, std::nullopt) << parsed.err;
  EXPECT_EQ(parsed.command_line.options.jobs, 5);
  EXPECT_EQ(parsed.command_line.options.config_file, other);
}

TEST_F(ParseCommandLineConfig, HelpAndVersionDoNotReadTheFile) {
  write(default_config, "nonsense\n");
  EXPECT_EQ(parse_with({"--help"}).exit_code, 0);
  EXPECT_EQ(parse_with({"--version"}).exit_code, 0);
}

TEST_F(ParseCommandLineConfig, EveryDocumentedLongOptionCanBeSetFromTheFile) {
  const std::string help = parse_with({"--help"}).out;
  std::set<std::string> keys;
  const std::regex long_option("--([a-z][a-z0-9-]*)");
  for (auto match = std::sregex_iterator(help.begin(), help.end(), long_option);
       match != std::sregex_iterator(); ++match) {
    keys.insert((*match)[1]);
  }
  for (const char* command_line_only : {"help", "version", "config", "cluster", "force"}) {
    ASSERT_EQ(keys.erase(command_line_only), 1U) << command_line_only;
  }
  ASSERT_GE(keys.size(), 20U) << help;
  const std::string defaults = describe(parse_with({"-c", "main"}).command_line.options);
  for (const std::string& key : keys) {
    // "1" is a valid value of every option but --sessions, --lock-dir, --etcd and
    // --etcd-prefix, and no option's default.
    const std::map<std::string, std::string> special{
        {"sessions", "kill"}, {"lock-dir", "/1"}, {"etcd", "http://1"}, {"etcd-prefix", "/1"}};
    const std::string value = special.contains(key) ? special.at(key) : "1";
    const Options from_file =
        options_with("[pgdeploy]\n" + key + " = " + value + "\n", {"-c", "main"});
    fs::remove(default_config);
    const Parsed from_command_line = parse_with({"-c", "main", "--" + key + "=" + value});
    ASSERT_EQ(from_command_line.exit_code, std::nullopt) << from_command_line.err;
    EXPECT_EQ(describe(from_file), describe(from_command_line.command_line.options)) << key;
    EXPECT_NE(describe(from_file), defaults) << key;
  }
}

// ---- etcd --------------------------------------------------------------------------------------

TEST_F(ParseCommandLineConfig, ReadsEtcdOptionsFromTheFileLikeAnyLongOption) {
  const Options options = options_with(
      "[pgdeploy]\n"
      "etcd = http://10.0.0.1:2379,https://10.0.0.2:2379\n"
      "etcd-cacert = /etc/pgdeploy/etcd-ca.pem\n"
      "etcd-user = publisher\n"
      "etcd-password-file = /etc/pgdeploy/etcd.password\n",
      {"-c", "main", "--etcd-prefix", "/pools"});
  EXPECT_EQ(options.etcd.endpoints,
            (std::vector<std::string>{"http://10.0.0.1:2379", "https://10.0.0.2:2379"}));
  EXPECT_EQ(options.etcd.prefix, "/pools");
  EXPECT_EQ(options.etcd.cacert, fs::path("/etc/pgdeploy/etcd-ca.pem"));
  EXPECT_EQ(options.etcd.cert, std::nullopt);
  EXPECT_EQ(options.etcd.user, "publisher");
  EXPECT_EQ(options.etcd.password_file, fs::path("/etc/pgdeploy/etcd.password"));
}

TEST(ParseCommandLine, EtcdDefaultsToNoPublishingUnderPgdeploy) {
  const Options options = parse({"-c", "main"}).command_line.options;
  EXPECT_TRUE(options.etcd.endpoints.empty());
  EXPECT_EQ(options.etcd.prefix, "/pgdeploy");
}

TEST(ParseCommandLine, EtcdOptionsThatCannotWorkAreUsageErrors) {
  const Parsed user_only = parse({"-c", "main", "--etcd", "http://a:2379", "--etcd-user", "u"});
  EXPECT_EQ(user_only.exit_code, 2);
  EXPECT_THAT(user_only.err, HasSubstr("--etcd-user and --etcd-password-file go together"));
  const Parsed no_scheme = parse({"-c", "main", "--etcd", "http://a:2379,b:2379"});
  EXPECT_EQ(no_scheme.exit_code, 2);
  EXPECT_THAT(no_scheme.err, HasSubstr("not an http:// or https:// URL: b:2379"));
  EXPECT_EQ(parse({"-c", "main", "--etcd-prefix", "pgdeploy"}).exit_code, 2);
}

TEST(ParseCommandLine, WaitAgentsIsForADeployWithEtcd) {
  const auto options = [](std::vector<std::string> args) {
    return parse(std::move(args)).command_line.options;
  };
  const Options waiting = options({"-c", "main", "--etcd", "http://a:2379", "--wait-agents", "30"});
  EXPECT_EQ(waiting.etcd.wait_agents, 30);
  EXPECT_EQ(wait_agents_problem(waiting), std::nullopt);
  EXPECT_EQ(wait_agents_problem(options({"-c", "main"})), std::nullopt);
  const std::string problem = "--wait-agents waits after a publish: it is for a deploy with --etcd";
  EXPECT_EQ(wait_agents_problem(options({"-c", "main", "--wait-agents", "30"})), problem);
  EXPECT_EQ(wait_agents_problem(options(
                {"-c", "main", "--etcd", "http://a:2379", "--wait-agents", "3", "--check"})),
            problem);
  EXPECT_EQ(wait_agents_problem(
                options({"status", "-c", "main", "--etcd", "http://a:2379", "--wait-agents", "3"})),
            problem);
  EXPECT_EQ(parse({"-c", "main", "--etcd", "http://a:2379", "--wait-agents", "0"}).exit_code, 2);
}

}  // namespace
}  // namespace pgdeploy
