#include "support/fakes.hpp"

#include <spdlog/sinks/ostream_sink.h>

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "model/app_server.hpp"
#include "ssh/remote_install.hpp"
#include "util/errors.hpp"
#include "util/text.hpp"

namespace pgdeploy::test {
namespace {

class FakeRemoteCommand final : public RemoteCommand {
 public:
  FakeRemoteCommand(std::shared_ptr<CommandRecord> record, InstallerBehaviour behaviour,
                    std::shared_ptr<Journal> journal, Latency latency, HostDeadline& deadline)
      : record_(std::move(record)),
        behaviour_(std::move(behaviour)),
        journal_(std::move(journal)),
        latency_(latency),
        deadline_(deadline) {}

  void write(std::string_view data) override {
    latency_.spend(deadline_, "write");
    journal_->push_back("write " + std::string(data));
    if (behaviour_.write_failure) {
      throw *behaviour_.write_failure;
    }
    record_->input += data;
  }

  void close_input() override {
    journal_->push_back("close input");
    record_->input_closed = true;
  }

  std::optional<std::string> read_line() override {
    latency_.spend(deadline_, "read");
    if (next_line_ == behaviour_.stdout_lines.size()) {
      journal_->push_back("read end of output");
      return std::nullopt;
    }
    const std::string& line = behaviour_.stdout_lines[next_line_++];
    journal_->push_back("read " + line);
    return line;
  }

  CommandResult wait() override {
    latency_.spend(deadline_, "read");
    journal_->push_back("wait");
    record_->waited = true;
    std::string rest;
    for (; next_line_ < behaviour_.stdout_lines.size(); ++next_line_) {
      rest += behaviour_.stdout_lines[next_line_] + "\n";
    }
    int status = behaviour_.exit_status;
    if (behaviour_.answers_verdict) {
      status = record_->input.ends_with(commit_line) ? install_ok : install_rolled_back;
    }
    return {status, rest, behaviour_.errors};
  }

 private:
  std::shared_ptr<CommandRecord> record_;
  InstallerBehaviour behaviour_;
  std::shared_ptr<Journal> journal_;
  Latency latency_;
  HostDeadline& deadline_;
  std::size_t next_line_ = 0;
};

class FakeRemoteHost final : public RemoteHost {
 public:
  FakeRemoteHost(FakeHostConnector& connector, std::string host, HostDeadline& deadline)
      : connector_(connector), host_(std::move(host)), deadline_(deadline) {}

  std::unique_ptr<RemoteCommand> start(const std::string& command) override {
    connector_.latency.spend(deadline_, "exec");
    connector_.journal->push_back("ssh start");
    auto record = std::make_shared<CommandRecord>();
    record->host = host_;
    record->text = command;
    connector_.commands.push_back(record);
    return std::make_unique<FakeRemoteCommand>(record, connector_.behaviour_for(command),
                                               connector_.journal, connector_.latency, deadline_);
  }

 private:
  FakeHostConnector& connector_;
  std::string host_;
  HostDeadline& deadline_;
};

class FakeAdminConsole final : public AdminConsole {
 public:
  FakeAdminConsole(FakeAdminConnector& connector, HostDeadline& deadline)
      : connector_(connector), deadline_(deadline) {}

  void reload() override {
    connector_.latency.spend(deadline_, "admin console");
    connector_.journal->push_back("RELOAD");
    ++connector_.reloads;
    if (connector_.reload_failure) {
      throw HostError("admin console", *connector_.reload_failure);
    }
  }

  std::vector<RoutedDatabase> show_databases() override {
    connector_.latency.spend(deadline_, "admin console");
    connector_.journal->push_back("SHOW DATABASES");
    ++connector_.show_databases;
    if (connector_.databases_before_reload && connector_.reloads == 0) {
      return *connector_.databases_before_reload;
    }
    return connector_.databases;
  }

  // SHOW SERVERS from `servers`, in PgBouncer 1.18's columns (those pgdeploy reads among them).
  ConsoleRows show(const std::string& what) override {
    connector_.latency.spend(deadline_, "admin console");
    connector_.journal->push_back("SHOW " + what);
    if (what != "SERVERS") {
      throw HostError("admin console", "SHOW " + what + " failed: the fake answers SERVERS only");
    }
    ConsoleRows rows{{"type", "user", "database", "state", "addr", "port"}};
    for (const ServerConnection& server : connector_.servers) {
      rows.push_back(
          {"S", "app", server.database, "active", server.addr, std::to_string(server.port)});
    }
    return rows;
  }

  std::string version() override { return "PgBouncer 1.18.0"; }
  bool has_admin_rights() override { return connector_.admin_rights; }

  void execute(const std::string& command) override {
    connector_.latency.spend(deadline_, "admin console");
    connector_.journal->push_back(command);
    connector_.commands.push_back(command);
    if (connector_.failing_command && command.starts_with(*connector_.failing_command) &&
        connector_.failing_times-- != 0) {
      throw HostError("admin console", command + " failed");
    }
  }

  std::vector<std::string> execute_each(const std::vector<std::string>& commands) override {
    ++connector_.batches;
    return AdminConsole::execute_each(commands);
  }

 private:
  FakeAdminConnector& connector_;
  HostDeadline& deadline_;
};

}  // namespace

void Latency::spend(const HostDeadline& deadline, const std::string& step) const {
  if (clock == nullptr) {
    return;
  }
  deadline.check();
  const Clock::time_point end = deadline.wait_end();
  if (clock->now + each > end) {
    clock->now = end;
    throw deadline.failure(step, deadline.no_answer());
  }
  clock->now += each;
}

QueryResult query_result(std::vector<std::string> columns,
                         std::vector<std::vector<std::optional<std::string>>> rows) {
  QueryResult result;
  result.columns = std::move(columns);
  result.rows = std::move(rows);
  return result;
}

void FakeDatabase::answer(std::string sql_part, QueryResult result) {
  rules_.push_back({std::move(sql_part), std::nullopt, std::move(result), std::nullopt});
}

void FakeDatabase::answer_for_param(std::string sql_part, std::string param, QueryResult result) {
  rules_.push_back({std::move(sql_part), std::move(param), std::move(result), std::nullopt});
}

void FakeDatabase::fail(std::string sql_part, std::string message) {
  rules_.push_back({std::move(sql_part), std::nullopt, {}, std::move(message)});
}

QueryResult FakeDatabase::query(const std::string& sql, const std::vector<std::string>& params) {
  queries_.push_back({sql, params});
  // Rules naming a parameter are more specific: they are tried first.
  for (const bool with_param : {true, false}) {
    for (auto rule = rules_.rbegin(); rule != rules_.rend(); ++rule) {
      if (rule->param.has_value() != with_param || sql.find(rule->sql_part) == std::string::npos) {
        continue;
      }
      if (rule->param && std::find(params.begin(), params.end(), *rule->param) == params.end()) {
        continue;
      }
      if (rule->failure) {
        throw metadata_error("query on the repmgr database failed: " + *rule->failure);
      }
      return rule->result;
    }
  }
  std::string described = sql;
  for (const std::string& param : params) {
    described += " [" + param + "]";
  }
  throw std::logic_error("FakeDatabase has no answer for: " + described);
}

std::string FakeDatabase::quote_identifier(std::string_view identifier) {
  std::string quoted = "\"";
  for (const char c : identifier) {
    quoted += c;
    if (c == '"') {
      quoted += '"';
    }
  }
  return quoted + "\"";
}

std::vector<RecordedQuery> FakeDatabase::queries_containing(std::string_view sql_part) const {
  std::vector<RecordedQuery> found;
  std::copy_if(queries_.begin(), queries_.end(), std::back_inserter(found),
               [&](const RecordedQuery& q) { return q.sql.find(sql_part) != std::string::npos; });
  return found;
}

FakeDatabase& FakeServers::add(const std::string& conninfo, bool recovery) {
  auto db = std::make_shared<FakeDatabase>();
  db->answer("pg_is_in_recovery", query_result({"r"}, {{recovery ? "t" : "f"}}));
  db->answer("pg_stat_wal_receiver", query_result({"sender_host", "sender_port"}));
  db->answer("pg_walfile_name",
             query_result({"timeline", "lsn", "system"}, {{"0000000A", "0/5000060", "7301"}}));
  db->connected_settings = parse_conninfo(conninfo);
  const std::lock_guard lock(mutex_);
  servers_[conninfo] = db;
  return *db;
}

DatabaseOpener FakeServers::opener() {
  return [this](const std::string& conninfo) -> std::unique_ptr<Database> {
    const std::lock_guard lock(mutex_);
    opened_.push_back(conninfo);
    const auto found = servers_.find(conninfo);
    if (found == servers_.end()) {
      throw metadata_error("cannot connect: " + conninfo);
    }
    // A non-owning view: the test keeps the fake to inspect it afterwards.
    struct View final : Database {
      std::shared_ptr<FakeDatabase> db;
      QueryResult query(const std::string& sql, const std::vector<std::string>& p) override {
        return db->query(sql, p);
      }
      std::string quote_identifier(std::string_view id) override {
        return db->quote_identifier(id);
      }
      ConnInfo settings() const override { return db->settings(); }
    };
    auto view = std::make_unique<View>();
    view->db = found->second;
    return view;
  };
}

std::vector<std::string> FakeServers::opened() const {
  const std::lock_guard lock(mutex_);
  return opened_;
}

std::vector<std::string> fragment_read(const std::string& text, const std::string& mtime) {
  std::vector<std::string> lines{"present"};
  if (!mtime.empty()) {
    lines.push_back(mtime);
  }
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
  }
  return lines;
}

FakeHostConnector::FakeHostConnector(std::shared_ptr<Journal> shared_journal)
    : journal(std::move(shared_journal)) {
  on_command(read_file_marker, InstallerBehaviour{{}, 1, false, "no such file", {}});
}

void FakeHostConnector::files_read_say(const std::string& text) {
  InstallerBehaviour cat;
  for (const std::string_view line : split_lines(text)) {
    cat.stdout_lines.emplace_back(line);
  }
  on_command(read_file_marker, cat);
}

void FakeHostConnector::on_command(std::string part, InstallerBehaviour behaviour) {
  command_rules_.emplace_back(std::move(part), std::move(behaviour));
}

const InstallerBehaviour& FakeHostConnector::behaviour_for(const std::string& text) const {
  for (auto rule = command_rules_.rbegin(); rule != command_rules_.rend(); ++rule) {
    if (text.find(rule->first) != std::string::npos) {
      return rule->second;
    }
  }
  return installer;
}

void FakeHostConnector::fail_connect(const std::string& step, const std::string& message) {
  connect_failure_.emplace(step, message);
}

void FakeHostConnector::installer_prints_installed_then_exits(int status) {
  installer.stdout_lines = {"installed"};
  installer.exit_status = status;
  installer.answers_verdict = false;
}

void FakeHostConnector::installer_awaits_verdict() {
  installer.stdout_lines = {"installed"};
  installer.answers_verdict = true;
}

void FakeHostConnector::installer_exits(int status, const std::string& errors) {
  installer.stdout_lines.clear();
  installer.exit_status = status;
  installer.answers_verdict = false;
  installer.errors = errors;
}

std::unique_ptr<RemoteHost> FakeHostConnector::connect(const AppServer& host,
                                                       HostDeadline& deadline) {
  deadline.begin("connect");
  latency.spend(deadline, "connect");
  journal->push_back("ssh connect " + host.name);
  connected.push_back(host.name);
  if (connect_failure_) {
    throw *connect_failure_;
  }
  return std::make_unique<FakeRemoteHost>(*this, host.name, deadline);
}

FakeAdminConnector::FakeAdminConnector(std::shared_ptr<Journal> shared_journal)
    : journal(std::move(shared_journal)) {}

void FakeAdminConnector::fail_connect(const std::string& message) { connect_failure_ = message; }

void FakeAdminConnector::fail_reload(const std::string& message) { reload_failure = message; }

std::unique_ptr<AdminConsole> FakeAdminConnector::connect(const std::string& admin_conninfo,
                                                          HostDeadline& deadline) {
  deadline.begin("admin console");
  latency.spend(deadline, "admin console");
  journal->push_back("admin connect");
  conninfos.push_back(admin_conninfo);
  if (connect_failure_) {
    throw HostError("admin console", "cannot connect: " + *connect_failure_);
  }
  return std::make_unique<FakeAdminConsole>(*this, deadline);
}

}  // namespace pgdeploy::test

namespace pgdeploy::test {

std::size_t occurrences(const std::string& text, const std::string& part) {
  std::size_t count = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) {
    ++count;
  }
  return count;
}

CapturedLog::CapturedLog()
    : stream_(std::make_shared<std::ostringstream>()), previous_(spdlog::default_logger()) {
  auto logger = std::make_shared<spdlog::logger>(
      "captured", std::make_shared<spdlog::sinks::ostream_sink_mt>(*stream_));
  logger->set_pattern("%l %v");
  logger->set_level(spdlog::level::debug);
  spdlog::set_default_logger(logger);
}

CapturedLog::~CapturedLog() { spdlog::set_default_logger(previous_); }

std::string CapturedLog::text() const { return stream_->str(); }

}  // namespace pgdeploy::test
