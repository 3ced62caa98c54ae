#include "ssh/remote_install.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "plan/fragment_file.hpp"
#include "plan/fragment_format.hpp"
#include "support/local_process.hpp"

namespace pgdeploy {
namespace {

namespace fs = std::filesystem;
using test::LocalCommand;
using test::ProcessResult;
using test::run_process;
using test::run_shell;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

// ---- shell_quote ---------------------------------------------------------------------------

TEST(ShellQuote, WrapsInSingleQuotes) { EXPECT_EQ(shell_quote("abc"), "'abc'"); }

TEST(ShellQuote, QuotesEmptyString) { EXPECT_EQ(shell_quote(""), "''"); }

TEST(ShellQuote, EscapesSingleQuote) { EXPECT_EQ(shell_quote("it's"), R"('it'\''s')"); }

TEST(ShellQuote, KeepsNewlineInsideQuotes) { EXPECT_EQ(shell_quote("a\nb"), "'a\nb'"); }

TEST(ShellQuote, ShellReadsBackEveryByte) {
  for (const std::string text : {"it's", "a\nb", "$HOME `id` $(id) \\ \"x\" ;&|<>*?[]~#",
                                 " lead and trail ", "''", "-n", "caf\xc3\xa9", "a\tb"}) {
    const ProcessResult result = run_shell("printf '%s' " + shell_quote(text), "");
    EXPECT_EQ(result.status, 0) << result.err;
    EXPECT_EQ(result.out, text);
  }
}

// ---- reload_command_for --------------------------------------------------------------------

TEST(ReloadCommandFor, UsesConfiguredCommand) {
  EXPECT_EQ(reload_command_for("systemctl reload pgbouncer", "deploy"),
            "systemctl reload pgbouncer");
}

TEST(ReloadCommandFor, DefaultUsesNonInteractiveSudo) {
  EXPECT_EQ(reload_command_for(std::nullopt, "postgres"), "sudo -n service pgbouncer reload");
}

TEST(ReloadCommandFor, DefaultForRootHasNoSudo) {
  EXPECT_EQ(reload_command_for(std::nullopt, "root"), "service pgbouncer reload");
}

TEST(ReloadCommandFor, EmptyConfiguredCommandMeansDefault) {
  EXPECT_EQ(reload_command_for(std::string(), "postgres"), "sudo -n service pgbouncer reload");
}

// ---- the scripts, run for real under dash and bash: the SSH user's login shell may be either --

const std::string old_content = "; old fragment\nold = host=10.0.0.1 port=5432 dbname=old\n";
const std::string new_content = "; new fragment\napp = host=10.0.0.2 port=5432 dbname=app\n";

class InstallScriptTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "pgdeploy-install-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    root = pattern;
    dir = root / "conf dir 'quoted'";  // the script must survive spaces and quotes
    fs::create_directory(dir);
    target = dir / "main.ini";
  }

  void TearDown() override {
    std::error_code ignored;
    fs::permissions(dir, fs::perms::owner_all, fs::perm_options::add, ignored);
    fs::remove_all(root, ignored);
  }

  InstallRequest request(std::optional<std::string> reload_command = "true",
                         std::size_t size = new_content.size()) const {
    InstallRequest req;
    req.config_dir = dir.string();
    req.file_name = "main.ini";
    req.size = size;
    req.timeline = 5;
    req.node_id = 2;
    req.system_identifier = "7301";
    req.reload_command = std::move(reload_command);
    return req;
  }

  // The shell this instance runs the scripts with.
  const char* shell() const { return GetParam(); }

  ProcessResult run(const std::string& script, const std::string& input = "") const {
    return run_process({shell(), "-c", script}, input);
  }

  ProcessResult install(const InstallRequest& req, const std::string& input) const {
    return run(install_script(req), input);
  }

  void write_old_file(fs::perms mode = fs::perms::owner_read | fs::perms::owner_write |
                                       fs::perms::group_read | fs::perms::others_read) const {
    std::ofstream(target, std::ios::binary) << old_content;
    fs::permissions(target, mode);
  }

  std::string target_content() const {
    std::ifstream in(target, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }

  unsigned target_mode() const {
    struct stat st {};
    EXPECT_EQ(stat(target.c_str(), &st), 0);
    return st.st_mode & 07777U;
  }

  // Every entry of the directory, hidden ones included.
  std::vector<std::string> files() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir)) {
      names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  fs::path root;
  fs::path dir;
  fs::path target;
};

TEST_P(InstallScriptTest, ReplacesTargetWithMode0640AndLeavesNoOtherFile) {
  write_old_file();
  const ProcessResult result = install(request(), new_content + "commit\n");
  EXPECT_EQ(result.status, install_ok) << result.err;
  EXPECT_EQ(target_content(), new_content);
  EXPECT_EQ(target_mode(), 0640U);
  EXPECT_THAT(files(), ElementsAre("main.ini"));
}

TEST_P(InstallScriptTest, CreatesTargetWhenNoneExisted) {
  const ProcessResult result = install(request(), new_content + "commit\n");
  EXPECT_EQ(result.status, install_ok) << result.err;
  EXPECT_EQ(target_content(), new_content);
  EXPECT_EQ(target_mode(), 0640U);
  EXPECT_THAT(files(), ElementsAre("main.ini"));
}

TEST_P(InstallScriptTest, TakesExactlySizeBytesFromInput) {
  const ProcessResult result = install(request(), new_content + "commit\ntrailing bytes");
  EXPECT_EQ(result.status, install_ok) << result.err;
  EXPECT_EQ(target_content(), new_content);
}

TEST_P(InstallScriptTest, InstallsLargeFragment) {
  std::string large;
  for (int i = 0; large.size() < 300000; ++i) {
    large += "db" + std::to_string(i) + " = host=10.0.0.2 port=5432 dbname=db" + std::to_string(i) +
             "\n";
  }
  const ProcessResult result = install(request("true", large.size()), large + "commit\n");
  EXPECT_EQ(result.status, install_ok) << result.err;
  EXPECT_EQ(target_content(), large);
}

TEST_P(InstallScriptTest, RunsReloadCommandAfterTheRename) {
  write_old_file();
  const std::string reload = "grep -q 'dbname=app' " + shell_quote(target.string());
  const ProcessResult result = install(request(reload), new_content + "commit\n");
  EXPECT_EQ(result.status, install_ok) << result.err;
}

TEST_P(InstallScriptTest, ReloadCommandOutputGoesToStderrNotTheConversation) {
  const ProcessResult result = install(request("echo reloaded"), new_content + "commit\n");
  EXPECT_EQ(result.status, install_ok) << result.err;
  EXPECT_EQ(result.out, "new file\nreloading\ninstalled\n");
  EXPECT_THAT(result.err, HasSubstr("reloaded"));
}

TEST_P(InstallScriptTest, SaysSoOnlyWhenItCreatesTheFile) {
  std::ofstream(target) << old_content;
  const ProcessResult result = install(request("true"), new_content + "commit\n");
  EXPECT_EQ(result.status, install_ok) << result.err;
  EXPECT_EQ(result.out, "reloading\ninstalled\n") << "the file was there: no new file line";
}

TEST_P(InstallScriptTest, ReloadCommandCannotReadTheInput) {
  const ProcessResult result = install(request("cat"), new_content + "commit\nEXTRA");
  EXPECT_EQ(result.status, install_ok) << result.err;
  EXPECT_THAT(result.err, Not(HasSubstr("EXTRA")));
}

TEST_P(InstallScriptTest, ShortInputIsIncompleteAndKeepsOldFile) {
  write_old_file();
  const ProcessResult result = install(request(), new_content.substr(0, 10));
  EXPECT_EQ(result.status, install_incomplete);
  EXPECT_THAT(result.err, HasSubstr("incomplete"));
  EXPECT_EQ(target_content(), old_content);
  EXPECT_EQ(target_mode(), 0644U);
  EXPECT_THAT(files(), ElementsAre("main.ini"));
}

TEST_P(InstallScriptTest, EmptyInputIsIncompleteAndCreatesNothing) {
  const ProcessResult result = install(request(), "");
  EXPECT_EQ(result.status, install_incomplete);
  EXPECT_THAT(files(), IsEmpty());
}

TEST_P(InstallScriptTest, MissingDirectoryIsWriteFailure) {
  InstallRequest req = request();
  req.config_dir = (root / "absent").string();
  const ProcessResult result = install(req, new_content);
  EXPECT_EQ(result.status, install_write_failed);
  EXPECT_THAT(result.err, HasSubstr("not a directory"));
  EXPECT_FALSE(fs::exists(root / "absent"));
}

TEST_P(InstallScriptTest, ReadOnlyDirectoryIsWriteFailure) {
  if (geteuid() == 0) {
    GTEST_SKIP() << "running as root: a mode of 0555 does not stop root from writing";
  }
  write_old_file();
  fs::permissions(dir, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                           fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec);
  const ProcessResult result = install(request(), new_content);
  EXPECT_EQ(result.status, install_write_failed);
  EXPECT_EQ(target_content(), old_content);
  EXPECT_THAT(files(), ElementsAre("main.ini"));
}

TEST_P(InstallScriptTest, FailingReloadRestoresOldFileByteIdentical) {
  write_old_file();
  const ProcessResult result = install(request("false"), new_content);
  EXPECT_EQ(result.status, install_reload_failed);
  EXPECT_THAT(result.err, HasSubstr("reload command failed"));
  EXPECT_EQ(target_content(), old_content);
  EXPECT_EQ(target_mode(), 0644U);
  EXPECT_THAT(files(), ElementsAre("main.ini"));
}

TEST_P(InstallScriptTest, ReloadExitingNonZeroFromSubshellIsReloadFailure) {
  write_old_file();
  const ProcessResult result = install(request("echo no pgbouncer >&2; exit 3"), new_content);
  EXPECT_EQ(result.status, install_reload_failed);
  EXPECT_THAT(result.err, HasSubstr("no pgbouncer"));
  EXPECT_EQ(target_content(), old_content);
  EXPECT_THAT(files(), ElementsAre("main.ini"));
}

TEST_P(InstallScriptTest, ReloadWithSyntaxErrorRestoresOldFile) {
  write_old_file();
  const ProcessResult result = install(request("("), new_content);
  EXPECT_NE(result.status, install_ok);
  EXPECT_EQ(target_content(), old_content);
  EXPECT_THAT(files(), ElementsAre("main.ini"));
}

TEST_P(InstallScriptTest, ReloadWithUnbalancedParenthesisRestoresOldFile) {
  write_old_file();
  const ProcessResult result = install(request("true )"), new_content);
  EXPECT_NE(result.status, install_ok);
  EXPECT_EQ(target_content(), old_content);
  EXPECT_THAT(files(), ElementsAre("main.ini"));
}

TEST_P(InstallScriptTest, FailingReloadWithoutPreviousFileRemovesTarget) {
  const ProcessResult result = install(request("false"), new_content);
  EXPECT_EQ(result.status, install_reload_failed);
  EXPECT_FALSE(fs::exists(target));
  EXPECT_THAT(files(), IsEmpty());
}

TEST_P(InstallScriptTest, LeavesOtherFilesOfTheDirectoryAlone) {
  std::ofstream(dir / "other.ini") << "other = host=x\n";
  const ProcessResult result = install(request("false"), new_content);
  EXPECT_EQ(result.status, install_reload_failed);
  EXPECT_THAT(files(), ElementsAre("other.ini"));
}

// ---- verdict mode: pgdeploy reloads through the admin console and says commit or rollback ----

TEST_P(InstallScriptTest, VerdictCommitKeepsNewFile) {
  write_old_file();
  const ProcessResult result = install(request(std::nullopt), new_content + "commit\n");
  EXPECT_EQ(result.status, install_ok) << result.err;
  EXPECT_EQ(result.out, "installed\n");
  EXPECT_EQ(target_content(), new_content);
  EXPECT_EQ(target_mode(), 0640U);
  EXPECT_THAT(files(), ElementsAre("main.ini"));
}

TEST_P(InstallScriptTest, VerdictRollbackRestoresOldFile) {
  write_old_file();
  const ProcessResult result = install(request(std::nullopt), new_content + "rollback\n");
  EXPECT_EQ(result.status, install_rolled_back);
  EXPECT_EQ(result.out, "installed\n");
  EXPECT_EQ(target_content(), old_content);
  EXPECT_EQ(target_mode(), 0644U);
  EXPECT_THAT(files(), ElementsAre("main.ini"));
}

TEST_P(InstallScriptTest, VerdictEndOfInputRestoresOldFile) {
  write_old_file();
  const ProcessResult result = install(request(std::nullopt), new_content);
  EXPECT_EQ(result.status, install_rolled_back);
  EXPECT_EQ(target_content(), old_content);
  EXPECT_THAT(files(), ElementsAre("main.ini"));
}

TEST_P(InstallScriptTest, VerdictOtherWordRestoresOldFile) {
  write_old_file();
  const ProcessResult result = install(request(std::nullopt), new_content + "commit now\n");
  EXPECT_EQ(result.status, install_rolled_back);
  EXPECT_EQ(target_content(), old_content);
  EXPECT_THAT(files(), ElementsAre("main.ini"));
}

TEST_P(InstallScriptTest, VerdictRollbackWithoutPreviousFileRemovesTarget) {
  const ProcessResult result = install(request(std::nullopt), new_content + "rollback\n");
  EXPECT_EQ(result.status, install_rolled_back);
  EXPECT_THAT(files(), IsEmpty());
}

TEST_P(InstallScriptTest, VerdictShortInputNeverSaysInstalled) {
  write_old_file();
  const ProcessResult result = install(request(std::nullopt), new_content.substr(0, 5));
  EXPECT_EQ(result.status, install_incomplete);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(target_content(), old_content);
  EXPECT_THAT(files(), ElementsAre("main.ini"));
}

TEST_P(InstallScriptTest, NewFileIsInPlaceWhenInstalledIsSaid) {
  write_old_file();
  LocalCommand command({shell(), "-c", install_script(request(std::nullopt))});
  command.write(new_content);
  ASSERT_EQ(command.read_line(), std::string(installed_line));
  EXPECT_EQ(target_content(), new_content);  // what PgBouncer will load on RELOAD
  command.write(commit_line);
  command.close_input();
  const CommandResult result = command.wait();
  EXPECT_EQ(result.exit_status, install_ok) << result.errors;
  EXPECT_EQ(target_content(), new_content);
  EXPECT_THAT(files(), ElementsAre("main.ini"));
}

TEST_P(InstallScriptTest, OldFileIsBackWhenRollbackEnds) {
  write_old_file();
  LocalCommand command({shell(), "-c", install_script(request(std::nullopt))});
  command.write(new_content);
  ASSERT_EQ(command.read_line(), std::string(installed_line));
  command.write(rollback_line);
  command.close_input();
  EXPECT_EQ(command.wait().exit_status, install_rolled_back);
  EXPECT_EQ(target_content(), old_content);
  EXPECT_THAT(files(), ElementsAre("main.ini"));
}

TEST_P(InstallScriptTest, KilledInstallerRestoresOldFile) {
  // A lost SSH connection hangs up the remote shell.
  write_old_file();
  LocalCommand command({shell(), "-c", install_script(request(std::nullopt))});
  command.write(new_content);
  ASSERT_EQ(command.read_line(), std::string(installed_line));
  ASSERT_EQ(kill(command.pid(), SIGHUP), 0);
  const CommandResult result = command.wait();
  EXPECT_NE(result.exit_status, install_ok);
  EXPECT_EQ(target_content(), old_content);
  EXPECT_THAT(files(), ElementsAre("main.ini"));
}

// ---- the commit every run needs, and fencing ------------------------------------------------

const std::string epoch_3 =
    "; Primary: node 2 (node2) at 10.0.0.12:5432\n; Epoch: timeline 3, lsn 0/1\n";

TEST_P(InstallScriptTest, WithoutCommitAReloadedFileIsRolledBackAndReloadedAgain) {
  write_old_file();
  const fs::path log = root / "reloads";
  const std::string reload = "cat main.ini >/dev/null; echo reload >>'" + log.string() + "'";
  const ProcessResult result = install(request("cd \"$dir\" && " + reload), new_content);
  EXPECT_EQ(result.status, install_rolled_back);
  EXPECT_EQ(target_content(), old_content);
  EXPECT_THAT(files(), ElementsAre("main.ini"));
  std::ifstream in(log);
  const std::string reloads{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  EXPECT_EQ(reloads, "reload\nreload\n") << "the restored file must be loaded again";
}

TEST_P(InstallScriptTest, NewerTimelineInPlaceIsRefusedAndUntouched) {
  std::ofstream(target, std::ios::binary) << epoch_3;
  InstallRequest req = request();
  req.timeline = 2;
  const ProcessResult result = install(req, new_content + "commit\n");
  EXPECT_EQ(result.status, install_refused);
  EXPECT_THAT(result.err, HasSubstr("node 2 (node2) at 10.0.0.12:5432 on timeline 3"));
  EXPECT_EQ(target_content(), epoch_3);
  EXPECT_THAT(files(), ElementsAre("main.ini"));
}

TEST_P(InstallScriptTest, SameOrOlderTimelineInPlaceIsReplaced) {
  for (const int timeline : {3, 4}) {
    std::ofstream(target, std::ios::binary) << epoch_3;
    InstallRequest req = request();
    req.timeline = timeline;
    const ProcessResult result = install(req, new_content + "commit\n");
    EXPECT_EQ(result.status, install_ok) << "timeline " << timeline << ": " << result.err;
    EXPECT_EQ(target_content(), new_content);
  }
}

TEST_P(InstallScriptTest, FenceOffReplacesANewerTimeline) {
  std::ofstream(target, std::ios::binary) << epoch_3;
  InstallRequest req = request();
  req.timeline = 1;
  req.fence = false;
  EXPECT_EQ(install(req, new_content + "commit\n").status, install_ok);
  EXPECT_EQ(target_content(), new_content);
}

TEST_P(InstallScriptTest, FileWithoutEpochIsReplaced) {
  write_old_file();
  InstallRequest req = request();
  req.timeline = 1;
  EXPECT_EQ(install(req, new_content + "commit\n").status, install_ok);
}

// The installer and fragment_format.cpp state one rule: for each file in place, both must decide
// alike.
TEST_P(InstallScriptTest, FencingAgreesWithTheRuleOfFragmentFormat) {
  const std::string header = "; Generated by pgdeploy 1 for repmgr cluster main.\n";
  const std::string node2 = "; Primary: node 2 (node2) at h:5432\n";
  const std::string node1 = "; Primary: node 1 (node1) at h:5432\n";
  const struct {
    std::string file;
    bool refused;
  } cases[] = {
      {header + node2 + "; Epoch: timeline 3, system 7301, lsn 0/1\n", false},
      {header + node1 + "; Epoch: timeline 2, system 7301, lsn 0/1\n", false},
      {header + node1 + "; Epoch: timeline 2, lsn 0/1\n", false},
      {header + node1 + "; Epoch: timeline 4, system 7301, lsn 0/1\n", true},
      {header + node1 + "; Epoch: timeline 3, system 7301, lsn 0/1\n", true},
      {header + node2 + "; Epoch: timeline 3, system 9999, lsn 0/1\n", true},
      {header + node2 + "; Epoch: timeline 1, system 9999, lsn 0/1\n", true},
      {header + node2 + "; Epoch: timeline 3x, lsn 0/1\n", true},
      {header + node2 + "; Epoch: timeline 99999999999999999999, lsn 0/1\n", true},
      {header + node2 + "; Epoch: timeline 2147483648, lsn 0/1\n", true},
      {header + node2 + "; Epoch: timeline 03, lsn 0/1\n", true},
      {header + node2 + "; Epoch: timeline 3\n", true},
      {header + node2 + "; Epoch: timeline 3, system 73a1, lsn 0/1\n", true},
      {header + node2 + "; Epoch: timeline 2, lsn 0/1\n; Epoch: timeline 9, lsn 0/1\n", true},
      {header + node2 + "; Epoch: timeline 2, lsn 0/1\n; Epoch: timeline 2, lsn 0/1\n", false},
      {header + node2 + node1 + "; Epoch: timeline 2, lsn 0/1\n", true},
      {header + "; Primary: node x (a) at h:1\n; Epoch: timeline 2, lsn 0/1\n", true},
      {header + node2, true},
      {header, true},
      {"; Epoch: timeline 2, lsn 0/1\n", true},
      {"; written by hand\nappdb = host=h dbname=appdb\n", false},
      {"", false},
  };
  const Node primary{2, "node2", ""};
  const Epoch epoch{3, "0/9", "7301"};
  for (const auto& c : cases) {
    std::ofstream(target, std::ios::binary | std::ios::trunc) << c.file;
    const bool cpp_refuses =
        fencing_refusal(parse_fragment_file(c.file), "f", primary, epoch).has_value();
    InstallRequest req = request();
    req.timeline = 3;
    const ProcessResult result = install(req, new_content + "commit\n");
    EXPECT_EQ(cpp_refuses, c.refused) << c.file;
    EXPECT_EQ(result.status, c.refused ? install_refused : install_ok) << c.file << result.err;
    if (c.refused) {
      EXPECT_EQ(target_content(), c.file);
    }
  }
}

// The installer says what fragment_format.cpp says, advice included.
TEST_P(InstallScriptTest, ANodeRefusalSaysWhatTheRuleOfFragmentFormatSays) {
  const std::string header =
      "; Generated by pgdeploy 1 for repmgr cluster main.\n"
      "; Primary: node 1 (node1) at h:5432\n";
  const Node primary{2, "node2", ""};
  const Epoch epoch{3, "0/9", "7301"};
  for (const std::string timeline : {"4", "3"}) {
    const std::string file = header + "; Epoch: timeline " + timeline + ", system 7301, lsn 0/1\n";
    std::ofstream(target, std::ios::binary | std::ios::trunc) << file;
    InstallRequest req = request();
    req.timeline = 3;
    const ProcessResult result = install(req, new_content + "commit\n");
    const auto rule = fencing_refusal(parse_fragment_file(file), target.string(), primary, epoch);
    ASSERT_TRUE(rule.has_value()) << file;
    EXPECT_THAT(result.err, HasSubstr(*rule));
    EXPECT_THAT(result.err, HasSubstr("repmgr node rejoin"));
  }
}

TEST_P(InstallScriptTest, AFileThatCannotBeReadFailsInsteadOfCountingAsAbsent) {
  fs::create_directory(target);
  const ProcessResult directory = install(request(), new_content + "commit\n");
  EXPECT_EQ(directory.status, install_unreadable);
  EXPECT_THAT(directory.err, HasSubstr("exists but is not a regular file"));
  fs::remove(target);
  if (::geteuid() != 0) {  // root reads every file
    write_old_file(fs::perms::none);
    const ProcessResult unreadable = install(request(), new_content + "commit\n");
    EXPECT_EQ(unreadable.status, install_unreadable);
    EXPECT_THAT(unreadable.err, HasSubstr("cannot read"));
  }
}

TEST_P(InstallScriptTest, HoldWaitsForGoBeforeTheRenameAndStopsWithoutIt) {
  write_old_file();
  InstallRequest req = request();
  req.hold = true;
  const ProcessResult stopped = install(req, new_content + "stop\n");
  EXPECT_EQ(stopped.status, install_rolled_back);
  EXPECT_THAT(stopped.out, HasSubstr("ready"));
  EXPECT_EQ(target_content(), old_content);
  EXPECT_THAT(files(), ElementsAre("main.ini"));
  const ProcessResult went = install(req, new_content + "go\ncommit\n");
  EXPECT_EQ(went.status, install_ok) << went.err;
  EXPECT_EQ(target_content(), new_content);
}

TEST_P(InstallScriptTest, AwaitInstallersEndsWhenNoMarkerRemains) {
  EXPECT_EQ(run(await_installers_script(dir.string(), "main.ini", 1)).status, 0);
  std::ofstream(dir / ".main.ini.installing.1") << "";
  const ProcessResult waited = run(await_installers_script(dir.string(), "main.ini", 1));
  EXPECT_EQ(waited.status, install_write_failed);
  EXPECT_THAT(waited.err, HasSubstr("an installer still runs"));
}

// ---- the same fragment again: "unchanged", nothing written or reloaded ----------------------

// A fragment of node 2 on timeline 5 of system 7301 (request()'s primary) at LSN.
std::string fragment_at(const std::string& lsn) {
  return "; Generated by pgdeploy 1 for repmgr cluster main.\n"
         "; Primary: node 2 (node2) at 10.0.0.12:5432\n"
         "; Epoch: timeline 5, system 7301, lsn " +
         lsn + "\napp = host=10.0.0.12 port=5432 dbname=app\n";
}

TEST_P(InstallScriptTest, TheSameFragmentAgainIsUnchangedAndNotRewritten) {
  std::ofstream(target, std::ios::binary) << fragment_at("0/1");
  const auto written = fs::file_time_type::clock::now() - std::chrono::hours(1);
  fs::last_write_time(target, written);
  struct stat before {};
  ASSERT_EQ(stat(target.c_str(), &before), 0);
  const fs::path log = root / "reloads";
  const std::string moved_on = fragment_at("0/2");  // only the LSN differs
  const ProcessResult result =
      install(request("echo reload >>" + shell_quote(log.string()), moved_on.size()), moved_on);
  EXPECT_EQ(result.status, install_ok) << result.err;
  EXPECT_EQ(result.out, "held by node 2 (node2) at 10.0.0.12:5432\nunchanged\n");
  EXPECT_EQ(target_content(), fragment_at("0/1"));
  struct stat after {};
  ASSERT_EQ(stat(target.c_str(), &after), 0);
  EXPECT_EQ(after.st_ino, before.st_ino);
  EXPECT_EQ(fs::last_write_time(target), written);
  EXPECT_FALSE(fs::exists(log)) << "an unchanged fragment needs no reload";
  EXPECT_THAT(files(), ElementsAre("main.ini"));
}

TEST_P(InstallScriptTest, AnotherLineIsNotUnchanged) {
  std::ofstream(target, std::ios::binary) << fragment_at("0/1");
  const std::string other = fragment_at("0/2") + "crm = host=10.0.0.12 port=5432 dbname=crm\n";
  const ProcessResult result = install(request("true", other.size()), other + "commit\n");
  EXPECT_EQ(result.status, install_ok) << result.err;
  EXPECT_THAT(result.out, Not(HasSubstr("unchanged")));
  EXPECT_EQ(target_content(), other);
}

// ---- read_script: what pgdeploy reads back for --check, status and the doctor ----------------

TEST_P(InstallScriptTest, ReadSaysAbsentForNoFile) {
  const ProcessResult result = run(read_script(dir.string(), "main.ini"));
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(result.out, "absent\n");
}

TEST_P(InstallScriptTest, ReadPrintsPresentAndTheFile) {
  write_old_file();
  const ProcessResult result = run(read_script(dir.string(), "main.ini"));
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(result.out, "present\n" + old_content);
}

TEST_P(InstallScriptTest, ReadWithMtimePrintsTheModificationTimeBetween) {
  write_old_file();
  const std::chrono::sys_seconds when =
      std::chrono::sys_days{std::chrono::January / 2 / 2024} + std::chrono::hours(3);
  fs::last_write_time(target, fs::file_time_type::clock::from_sys(when));
  const ProcessResult result = run(read_script(dir.string(), "main.ini", true));
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(result.out, "present\n2024-01-02T03:00:00Z\n" + old_content);
}

TEST_P(InstallScriptTest, ReadFailsOnWhatIsNoRegularFile) {
  fs::create_directory(target);
  const ProcessResult result = run(read_script(dir.string(), "main.ini"));
  EXPECT_EQ(result.status, 10);
  EXPECT_EQ(result.out, "");
  EXPECT_THAT(result.err, HasSubstr("is not a regular file"));
}

TEST_P(InstallScriptTest, ReadFailsOnAFileItCannotRead) {
  write_old_file(fs::perms::none);
  std::vector<std::string> argv{shell(), "-c", read_script(dir.string(), "main.ini")};
  if (::geteuid() == 0) {  // root reads every file: read it as nobody
    fs::permissions(root, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
    argv.insert(argv.begin(),
                {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"});
  }
  const ProcessResult result = run_process(argv, "");
  EXPECT_EQ(result.status, 10) << result.err;
  EXPECT_EQ(result.out, "");
  EXPECT_THAT(result.err, HasSubstr("cannot read"));
}

INSTANTIATE_TEST_SUITE_P(Shells, InstallScriptTest, ::testing::Values("/bin/dash", "/bin/bash"),
                         [](const ::testing::TestParamInfo<const char*>& shell) {
                           return fs::path(shell.param).filename().string();
                         });

}  // namespace
}  // namespace pgdeploy
