#include "pgbouncer/ssh_console.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "pgdeploy/console_sh.hpp"
#include "ssh/remote_host.hpp"
#include "ssh/remote_install.hpp"
#include "util/text.hpp"

namespace pgdeploy {
namespace {

constexpr const char* step = "admin console over SSH";
constexpr char separator = '\x1f';

std::vector<std::string> split(std::string_view line, char at) {
  std::vector<std::string> fields;
  for (std::size_t start = 0;;) {
    const std::size_t end = line.find(at, start);
    fields.emplace_back(line.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) {
      return fields;
    }
    start = end + 1;
  }
}

}  // namespace

std::string console_script(const std::string& pgbouncer_ini, const std::string& command) {
  return "ini=" + shell_quote(pgbouncer_ini) + " command=" + shell_quote(command) + "\n" +
         std::string(console_sh);
}

SshConsole::SshConsole(RemoteHost& remote, std::string pgbouncer_ini)
    : remote_(remote), pgbouncer_ini_(std::move(pgbouncer_ini)) {}

std::vector<std::vector<std::string>> SshConsole::run(const std::string& command) {
  spdlog::debug("admin console over SSH: {}", command);
  const CommandResult result = run_remote(remote_, console_script(pgbouncer_ini_, command));
  if (result.exit_status != 0) {
    throw HostError(step, command + " failed: " + one_line(result.errors));
  }
  std::vector<std::vector<std::string>> rows;
  for (const std::string_view line : split_lines(result.output)) {
    rows.push_back(split(line, separator));
  }
  return rows;
}

void SshConsole::reload() { execute("RELOAD"); }

void SshConsole::execute(const std::string& command) { run(command); }

std::string SshConsole::version() {
  const auto rows = run("SHOW VERSION");
  return rows.size() > 1 && !rows[1].empty() ? rows[1][0] : "";
}

bool SshConsole::has_admin_rights() { return probe_admin_rights(*this); }

std::vector<RoutedDatabase> SshConsole::show_databases() {
  const auto rows = run("SHOW DATABASES");
  if (rows.empty()) {
    throw HostError(step, "SHOW DATABASES returned nothing");
  }
  // Columns by name, as for the libpq console: later versions add and move them.
  const auto column = [&](const char* name) {
    const auto found = std::find(rows[0].begin(), rows[0].end(), name);
    if (found == rows[0].end()) {
      throw HostError(step, std::string("SHOW DATABASES has no column ") + name);
    }
    return static_cast<std::size_t>(found - rows[0].begin());
  };
  const std::size_t name = column("name");
  const std::size_t host = column("host");
  const std::size_t port = column("port");
  const std::size_t dbname = column("database");
  std::vector<RoutedDatabase> databases;
  for (std::size_t row = 1; row < rows.size(); ++row) {
    const auto& fields = rows[row];
    if (fields.size() != rows[0].size()) {
      continue;  // a value holding a newline: not a database pgdeploy routes
    }
    RoutedDatabase db{fields[name], fields[host], 0, fields[dbname]};
    db.port = parse_number<int>(fields[port]).value_or(0);
    databases.push_back(std::move(db));
  }
  return databases;
}

}  // namespace pgdeploy
