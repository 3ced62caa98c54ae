#pragma once

// Recording fakes for the three outside systems: the repmgr database, SSH hosts and PgBouncer's
// admin console. Each answers what the test told it to and records what it was asked.

#include <spdlog/spdlog.h>

#include <cstddef>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "metadata/primary_check.hpp"
#include "model/app_server.hpp"
#include "model/cluster.hpp"
#include "pgbouncer/admin_console.hpp"
#include "postgres/database.hpp"
#include "ssh/remote_host.hpp"
#include "util/deadline.hpp"

namespace pgdeploy::test {

// What several fakes did, in the order they did it, e.g. "ssh connect app1", "RELOAD".
using Journal = std::vector<std::string>;

// A QueryResult from column names and rows (NULL as std::nullopt).
QueryResult query_result(std::vector<std::string> columns,
                         std::vector<std::vector<std::optional<std::string>>> rows = {});

// One statement the fake database was asked to run.
struct RecordedQuery {
  std::string sql;
  std::vector<std::string> params;
};

// A Database that answers canned results. A rule matches when the SQL contains its substring
// and, when the rule names a parameter, one of the parameters equals it. Rules naming a
// parameter win over those that do not; among equals the most recently added matching rule
// wins, so a test can override a fixture's defaults. A query no rule
// matches throws std::logic_error naming it.
class FakeDatabase final : public Database {
 public:
  void answer(std::string sql_part, QueryResult result);
  void answer_for_param(std::string sql_part, std::string param, QueryResult result);
  // Queries that match throw a metadata error with MESSAGE, as a failed statement does.
  void fail(std::string sql_part, std::string message);

  QueryResult query(const std::string& sql, const std::vector<std::string>& params) override;
  // Doubles embedded double quotes and wraps the identifier in them, as libpq does.
  std::string quote_identifier(std::string_view identifier) override;
  // What connected_settings holds.
  ConnInfo settings() const override { return connected_settings; }

  ConnInfo connected_settings;  // the settings libpq would report for the connection

  const std::vector<RecordedQuery>& queries() const { return queries_; }
  // The recorded queries whose SQL contains SQL_PART.
  std::vector<RecordedQuery> queries_containing(std::string_view sql_part) const;

 private:
  struct Rule {
    std::string sql_part;
    std::optional<std::string> param;
    QueryResult result;
    std::optional<std::string> failure;
  };
  std::vector<Rule> rules_;
  std::vector<RecordedQuery> queries_;
};

// Fake PostgreSQL servers by conninfo, and an opener for them that records every conninfo it
// opens; opening one that was not added fails like an unreachable server (a metadata error).
// Safe to open from several threads.
class FakeServers {
 public:
  // A server at CONNINFO that is in recovery or not, streams from nobody and is on timeline 10
  // (0000000A) at 0/5000060 of system 7301; its settings are CONNINFO's.
  FakeDatabase& add(const std::string& conninfo, bool recovery = false);
  DatabaseOpener opener();
  std::vector<std::string> opened() const;

 private:
  std::map<std::string, std::shared_ptr<FakeDatabase>> servers_;
  std::vector<std::string> opened_;
  mutable std::mutex mutex_;
};

// The stdout of a remote read of a fragment in place: "present", the mtime line when MTIME is
// set, then TEXT line by line.
std::vector<std::string> fragment_read(const std::string& text, const std::string& mtime = "");

// A clock the fakes turn: give reader() to TimeLimits::now, and each operation of a fake with a
// latency moves it on.
struct FakeClock {
  Clock::time_point now = Clock::time_point() + std::chrono::hours(1);
  std::function<Clock::time_point()> reader() {
    return [this] { return now; };
  }
};

// How long each operation of a fake takes (connect, start, write, read, wait, each console
// command), on CLOCK. Like a real wait, one that would outlast min(-t, time left of the
// deadline) stops there and throws the deadline's failure for STEP.
struct Latency {
  FakeClock* clock = nullptr;  // null: operations take no time
  std::chrono::milliseconds each{0};
  void spend(const HostDeadline& deadline, const std::string& step) const;
};

// Everything one remote command received.
struct CommandRecord {
  std::string host;   // name of the app server it ran on
  std::string text;   // the command line given to the remote shell
  std::string input;  // every byte written to its stdin
  bool input_closed = false;
  bool waited = false;
};

// How the fake remote installer behaves.
struct InstallerBehaviour {
  std::vector<std::string> stdout_lines;  // lines read_line returns, then end of output
  int exit_status = 0;
  // Like the real installer in verdict mode: exit 0 when the input ended with "commit\n",
  // else 13 (rolled back). Overrides exit_status.
  bool answers_verdict = false;
  std::string errors;                      // stderr
  std::optional<HostError> write_failure;  // thrown by write()
};

// A HostConnector whose hosts run no real command: every started command behaves as
// `installer` says and records what was sent to it. Not thread-safe.
class FakeHostConnector final : public HostConnector {
 public:
  explicit FakeHostConnector(std::shared_ptr<Journal> shared_journal = std::make_shared<Journal>());

  // connect() throws HostError(step, message) from now on.
  void fail_connect(const std::string& step, const std::string& message);
  // The installer answers "installed" and, once it ends, exits with STATUS.
  void installer_prints_installed_then_exits(int status);
  // The installer answers "installed", then exits as the verdict it receives asks.
  void installer_awaits_verdict();
  // The installer prints nothing and exits with STATUS, with ERRORS on stderr.
  void installer_exits(int status, const std::string& errors = "");

  // Commands whose text contains PART behave as BEHAVIOUR instead of `installer`; the rule
  // added last wins among those that match.
  void on_command(std::string part, InstallerBehaviour behaviour);
  // Every read_file_script prints TEXT (at first, each exits 1: the file cannot be read).
  void files_read_say(const std::string& text);
  // What only read_file_script's text holds.
  static constexpr const char* read_file_marker = "does not exist\" >&2";

  std::unique_ptr<RemoteHost> connect(const AppServer& host, HostDeadline& deadline) override;
  // What a command of TEXT does: the matching on_command rule, else `installer`.
  const InstallerBehaviour& behaviour_for(const std::string& text) const;

  InstallerBehaviour installer;
  Latency latency;
  std::vector<std::string> connected;                    // names of the app servers connected to
  std::vector<std::shared_ptr<CommandRecord>> commands;  // every command started
  std::shared_ptr<Journal> journal;

 private:
  std::optional<HostError> connect_failure_;
  std::vector<std::pair<std::string, InstallerBehaviour>> command_rules_;
};

// An AdminConnector whose consoles return canned SHOW DATABASES rows and record RELOADs.
// Consoles refer back to their connector, which must outlive them.
class FakeAdminConnector final : public AdminConnector {
 public:
  explicit FakeAdminConnector(
      std::shared_ptr<Journal> shared_journal = std::make_shared<Journal>());

  void fail_connect(const std::string& message);  // HostError "admin console"
  void fail_reload(const std::string& message);   // every RELOAD throws, after being recorded

  std::unique_ptr<AdminConsole> connect(const std::string& admin_conninfo,
                                        HostDeadline& deadline) override;
  Latency latency;

  std::vector<RoutedDatabase> databases;  // what SHOW DATABASES answers (after a RELOAD, if
                                          // databases_before_reload is set)
  std::optional<std::vector<RoutedDatabase>> databases_before_reload;
  std::vector<ServerConnection> servers;       // what SHOW SERVERS answers
  std::vector<std::string> commands;           // every execute(): PAUSE "db", RECONNECT "db", ...
  std::optional<std::string> failing_command;  // execute() of a command starting so throws
  int failing_times = -1;                      // how often it throws before it works; -1: always
  std::vector<std::string> conninfos;          // one per connect()
  int reloads = 0;
  int show_databases = 0;
  int batches = 0;           // calls of execute_each (each of its commands is also an execute())
  bool admin_rights = true;  // what has_admin_rights() answers
  std::optional<std::string> reload_failure;  // set by fail_reload
  std::shared_ptr<Journal> journal;

 private:
  std::optional<std::string> connect_failure_;
};

// How often PART occurs in TEXT (overlapping occurrences counted).
std::size_t occurrences(const std::string& text, const std::string& part);

// Everything logged while it lives, one "level message" a line (e.g. "warning app1: ...").
class CapturedLog {
 public:
  CapturedLog();
  ~CapturedLog();
  CapturedLog(const CapturedLog&) = delete;
  CapturedLog& operator=(const CapturedLog&) = delete;
  std::string text() const;

 private:
  std::shared_ptr<std::ostringstream> stream_;
  std::shared_ptr<spdlog::logger> previous_;
};

}  // namespace pgdeploy::test
