#include "pgbouncer/ssh_console.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/fakes.hpp"
#include "support/local_process.hpp"
#include "util/deadline.hpp"

namespace pgdeploy {
namespace {

namespace fs = std::filesystem;
using test::occurrences;
using test::ProcessResult;
using test::run_process;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// A psql that answers like PgBouncer's console. With -c: a command containing "refused" fails
// with a two-line message, any other prints one row. With -f -: every input line, numbered, the
// same way, psql's messages naming the line. Every call appends its arguments, and its input
// lines, to psql.log. The file "databases" beside it, if any, is the answer to every -c.
constexpr const char* fake_psql = R"(#!/bin/sh
log=${0%/*}/psql.log
printf '%s|' "$@" >>"$log"
echo >>"$log"
for last; do :; done
if [ "$last" != - ]; then
  case $last in
  *refused*) printf 'ERROR:  refused\nDETAIL:  by the test\n' >&2; exit 1 ;;
  esac
  if [ -f "${0%/*}/databases" ]; then cat "${0%/*}/databases"; else printf 'name\037host\nappdb\037h1\n'; fi
  exit 0
fi
n=0
while IFS= read -r line; do
  n=$((n + 1))
  printf '%s\n' "$line" >>"$log"
  case $line in
  *refused*) printf 'psql:<stdin>:%d: ERROR:  refused\nDETAIL:  by the test\n' "$n" >&2 ;;
  esac
done
)";

// console.sh run for real under dash and bash (the SSH user's login shell may be either),
// with the fake psql first on PATH.
class ConsoleScriptTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "pgdeploy-console-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir = pattern;
    std::ofstream(dir / "psql") << fake_psql;
    fs::permissions(dir / "psql", fs::perms::owner_all);
    std::ofstream(dir / "pgbouncer.ini")
        << "[pgbouncer]\nlisten_port = 6001\nunix_socket_dir = /run/bouncer\n";
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
  }

  // SCRIPT with the fake psql first on PATH and no client directory beside it.
  ProcessResult run(const std::string& script) const {
    return run_process(
        {GetParam(), "-c",
         "PATH='" + dir.string() + "':$PATH clients='" + (dir / "none").string() + "'\n" + script},
        "");
  }
  std::string psql_log() const {
    std::ifstream in(dir / "psql.log");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  std::string ini() const { return (dir / "pgbouncer.ini").string(); }

  fs::path dir;
};

TEST_P(ConsoleScriptTest, OneCommandPrintsItsRows) {
  const ProcessResult result = run(console_script(ini(), "SHOW DATABASES"));
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(result.out, "name\037host\nappdb\037h1\n");
  EXPECT_THAT(psql_log(),
              HasSubstr("host=/run/bouncer port=6001 dbname=pgbouncer connect_timeout=2|-c|SHOW "
                        "DATABASES|"));
}

TEST_P(ConsoleScriptTest, OneRefusedCommandFailsWithPsqlsMessage) {
  const ProcessResult result = run(console_script(ini(), "KILL \"refused\""));
  EXPECT_NE(result.status, 0);
  EXPECT_THAT(result.err, HasSubstr("ERROR:  refused"));
}

TEST_P(ConsoleScriptTest, BatchSendsEveryCommandInOneSessionOneALine) {
  const ProcessResult result = run(console_batch_script(
      ini(), {"KILL \"app\"", "RESUME \"refused\"", "RECONNECT \"it's; $(id)\""}));
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(result.err, "psql:<stdin>:2: ERROR:  refused\nDETAIL:  by the test\n");
  EXPECT_EQ(occurrences(psql_log(), "dbname=pgbouncer"), 1U) << "one session";
  EXPECT_THAT(psql_log(), HasSubstr("connect_timeout=2|-f|-|\nKILL \"app\";\nRESUME \"refused\";\n"
                                    "RECONNECT \"it's; $(id)\";\n"))
      << "passed as is";
}

// SHOW DATABASES as psql prints it unaligned, columns as PgBouncer 1.18 orders them.
void write_databases(const fs::path& file, const std::vector<std::string>& rows) {
  std::ofstream out(file);
  out << "name\037host\037port\037database\037force_user\n";
  for (const std::string& row : rows) {
    out << row << "\n";
  }
}

TEST_P(ConsoleScriptTest, OnceServedRunsTheCommandsWhenEveryRouteIsListed) {
  write_databases(dir / "databases",
                  {"appdb\037h2\0375433\037appdb\037", "it's a \\ db\037h2\0375433\037x\037"});
  const ProcessResult result = run(console_once_served_script(
      ini(), {{"it's a \\ db", "h2", 5433, "x"}, {"appdb", "h2", 5433, "appdb"}},
      std::chrono::milliseconds(1000), {"KILL \"appdb\"", "RESUME \"appdb\""}));
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(occurrences(psql_log(), "SHOW DATABASES"), 1U);
  EXPECT_THAT(psql_log(), HasSubstr("|-f|-|\nKILL \"appdb\";\nRESUME \"appdb\";\n"));
}

TEST_P(ConsoleScriptTest, OnceServedRunsNothingWhenARouteStaysElsewhere) {
  write_databases(dir / "databases", {"appdb\037h1\0375432\037appdb\037"});
  const ProcessResult result = run(console_once_served_script(
      ini(), {{"appdb", "h2", 5432, "appdb"}}, std::chrono::milliseconds(100), {"KILL \"appdb\""}));
  EXPECT_EQ(result.status, console_not_served);
  EXPECT_THAT(result.err, HasSubstr("PgBouncer does not serve the new routes"));
  EXPECT_EQ(occurrences(psql_log(), "SHOW DATABASES"), 3U) << "at 0, 50 and 100 ms";
  EXPECT_THAT(psql_log(), Not(HasSubstr("|-f|")));
}

TEST_P(ConsoleScriptTest, OnceServedStopsAtAConsoleThatFails) {
  fs::remove(dir / "psql");
  std::ofstream(dir / "psql") << "#!/bin/sh\necho 'connection refused' >&2\nexit 2\n";
  fs::permissions(dir / "psql", fs::perms::owner_all);
  const ProcessResult failed =
      run(console_once_served_script(ini(), {{"appdb", "h2", 5432, "appdb"}},
                                     std::chrono::milliseconds(1000), {"KILL \"appdb\""}));
  EXPECT_EQ(failed.status, 2);
  EXPECT_THAT(failed.err, HasSubstr("connection refused"));
}

TEST_P(ConsoleScriptTest, RunsTheNewestClientOfTheClientDirectoryRatherThanPathsPsql) {
  for (const char* version : {"9.6", "15", "12"}) {
    fs::create_directories(dir / "lib" / version / "bin");
    std::ofstream(dir / "lib" / version / "bin" / "psql")
        << "#!/bin/sh\necho " << version << " >>'" << (dir / "psql.log").string() << "'\n";
    fs::permissions(dir / "lib" / version / "bin" / "psql", fs::perms::owner_all);
  }
  const ProcessResult result =
      run_process({GetParam(), "-c",
                   "PATH='" + dir.string() + "':$PATH clients='" + (dir / "lib").string() + "'\n" +
                       console_batch_script(ini(), {"KILL \"app\""})},
                  "");
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(psql_log(), "15\n");
}

TEST_P(ConsoleScriptTest, BatchWithoutPsqlSaysSo) {
  const ProcessResult result = run_process(
      {GetParam(), "-c",
       "PATH=/nonexistent clients=/nonexistent\n" + console_batch_script(ini(), {"KILL \"app\""})},
      "");
  EXPECT_EQ(result.status, 20);
  EXPECT_THAT(result.err, HasSubstr("psql is not installed"));
}

INSTANTIATE_TEST_SUITE_P(Shells, ConsoleScriptTest, ::testing::Values("/bin/dash", "/bin/bash"),
                         [](const ::testing::TestParamInfo<const char*>& shell) {
                           return fs::path(shell.param).filename().string();
                         });

// SshConsole over a local "SSH connection" (/bin/sh -c), the fake psql on PATH.
class SshConsoleTest : public ConsoleScriptTest {
 protected:
  void SetUp() override {
    ConsoleScriptTest::SetUp();
    const char* path = std::getenv("PATH");
    saved_path = path != nullptr ? path : "";
    setenv("PATH", (dir.string() + ":" + saved_path).c_str(), 1);
    setenv("clients", (dir / "none").c_str(), 1);  // the fake psql, not this machine's
    remote = test::LocalShellConnector().connect(AppServer{}, deadline);
  }
  void TearDown() override {
    setenv("PATH", saved_path.c_str(), 1);
    unsetenv("clients");
    ConsoleScriptTest::TearDown();
  }

  std::string saved_path;
  HostDeadline deadline{TimeLimits{}};
  std::unique_ptr<RemoteHost> remote;
};

TEST_P(SshConsoleTest, ExecuteEachReturnsOneErrorPerCommandFromOneSession) {
  SshConsole console(*remote, ini());
  const std::vector<std::string> errors =
      console.execute_each({"KILL \"app\"", "RESUME \"refused\"", "RESUME \"app\""});
  EXPECT_THAT(errors, ElementsAre("",
                                  "RESUME \"refused\" failed: ERROR:  refused DETAIL:  by "
                                  "the test",
                                  ""));
  EXPECT_EQ(occurrences(psql_log(), "dbname=pgbouncer"), 1U);
}

TEST_P(SshConsoleTest, ExecuteEachSendsACommandHoldingANewlineOnItsOwn) {
  SshConsole console(*remote, ini());
  const std::vector<std::string> errors = console.execute_each({"KILL \"a\nb\"", "RESUME \"app\""});
  EXPECT_THAT(errors, ElementsAre("", ""));
  EXPECT_EQ(occurrences(psql_log(), "dbname=pgbouncer"), 2U);
  EXPECT_THAT(psql_log(), Not(HasSubstr("|-f|")));
}

TEST_P(SshConsoleTest, ExecuteThrowsWhatPsqlSaid) {
  SshConsole console(*remote, ini());
  try {
    console.execute("KILL \"refused\"");
    FAIL() << "a refused command must throw";
  } catch (const HostError& e) {
    EXPECT_THAT(e.what(), HasSubstr("KILL \"refused\" failed: ERROR:  refused"));
  }
}

TEST(BatchErrors, AttributesEachMessageToTheLineItNames) {
  const std::vector<std::string> commands{"KILL \"a\"", "RESUME \"a\"", "RECONNECT \"b\""};
  EXPECT_THAT(batch_errors(commands, ""), ElementsAre("", "", ""));
  EXPECT_THAT(batch_errors(commands,
                           "psql:<stdin>:3: ERROR:  no such database: b\n"
                           "psql:<stdin>:1: ERROR:  bad arguments\nDETAIL:  more\n\n"),
              ElementsAre("KILL \"a\" failed: ERROR:  bad arguments DETAIL:  more", "",
                          "RECONNECT \"b\" failed: ERROR:  no such database: b"));
}

TEST(BatchErrors, IgnoresLinesItCannotPlace) {
  const std::vector<std::string> commands{"KILL \"a\""};
  EXPECT_THAT(batch_errors(commands,
                           "WARNING: something\npsql:<stdin>:7: ERROR:  x\n"
                           "psql:<stdin>:zero: ERROR:  y\n"),
              ElementsAre(""));
}

INSTANTIATE_TEST_SUITE_P(LocalShell, SshConsoleTest, ::testing::Values("/bin/sh"),
                         [](const ::testing::TestParamInfo<const char*>& /*shell*/) {
                           return std::string("sh");
                         });

}  // namespace
}  // namespace pgdeploy
