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

// console.sh with ASSIGNMENTS (ini and mode first) and COMMANDS as its positional parameters.
std::string script_for(const std::string& assignments, const std::vector<std::string>& commands) {
  std::string script = assignments + "\nset --";
  for (const std::string& command : commands) {
    script += " " + shell_quote(command);
  }
  return script + "\n" + std::string(console_sh);
}

std::string assign(const std::string& pgbouncer_ini, const char* mode) {
  return "ini=" + shell_quote(pgbouncer_ini) + " mode=" + mode;
}

}  // namespace

std::string console_script(const std::string& pgbouncer_ini, const std::string& command) {
  return script_for(assign(pgbouncer_ini, "query"), {command});
}

std::string console_batch_script(const std::string& pgbouncer_ini,
                                 const std::vector<std::string>& commands) {
  return script_for(assign(pgbouncer_ini, "each"), commands);
}

std::string console_once_served_script(const std::string& pgbouncer_ini,
                                       const std::vector<RoutedDatabase>& routes,
                                       std::chrono::milliseconds patience,
                                       const std::vector<std::string>& commands) {
  std::string lines;
  for (const RoutedDatabase& route : routes) {
    lines += route.name + separator + route.host + separator + std::to_string(route.port) +
             separator + route.dbname + "\n";
  }
  return script_for(assign(pgbouncer_ini, "once_served") + " routes=" + shell_quote(lines) +
                        " patience_ms=" + std::to_string(patience.count()),
                    commands);
}

std::vector<std::string> batch_errors(const std::vector<std::string>& commands,
                                      std::string_view psql_errors) {
  constexpr std::string_view prefix = "psql:<stdin>:";
  std::vector<std::string> errors(commands.size());
  std::string* current = nullptr;  // the error the lines without prefix continue
  for (std::string_view line : split_lines(psql_errors)) {
    if (line.substr(0, prefix.size()) == prefix) {
      line.remove_prefix(prefix.size());
      const std::size_t colon = line.find(": ");
      const auto number = parse_number<std::size_t>(line.substr(0, colon));
      if (colon != std::string_view::npos && number && *number >= 1 && *number <= commands.size()) {
        current = &errors[*number - 1];
        *current += (current->empty() ? commands[*number - 1] + " failed: " : std::string(" ")) +
                    std::string(line.substr(colon + 2));
        continue;
      }
    }
    if (current != nullptr && !line.empty()) {
      *current += " " + std::string(line);
    }
  }
  return errors;
}

SshConsole::SshConsole(RemoteHost& remote, std::string pgbouncer_ini)
    : remote_(remote), pgbouncer_ini_(std::move(pgbouncer_ini)) {}

ConsoleRows SshConsole::run(const std::string& command) {
  spdlog::debug("admin console over SSH: {}", command);
  const CommandResult result = run_remote(remote_, console_script(pgbouncer_ini_, command));
  if (result.exit_status != 0) {
    throw HostError(step, command + " failed: " + one_line(result.errors));
  }
  ConsoleRows rows;
  for (const std::string_view line : split_lines(result.output)) {
    rows.push_back(split(line, separator));
  }
  return rows;
}

void SshConsole::reload() { execute("RELOAD"); }

void SshConsole::execute(const std::string& command) { run(command); }

namespace {

bool holds_newline(const std::vector<std::string>& commands) {
  return std::any_of(commands.begin(), commands.end(), [](const std::string& command) {
    return command.find('\n') != std::string::npos;
  });
}

}  // namespace

std::vector<std::string> SshConsole::execute_each(const std::vector<std::string>& commands) {
  // One command a line: a command holding a newline (a database name may) goes on its own.
  if (holds_newline(commands)) {
    return AdminConsole::execute_each(commands);
  }
  return *run_each(console_batch_script(pgbouncer_ini_, commands), commands);
}

std::optional<std::vector<std::string>> SshConsole::execute_each_once_served(
    const std::vector<RoutedDatabase>& routes, std::chrono::milliseconds patience,
    const std::vector<std::string>& commands) {
  if (holds_newline(commands)) {
    return AdminConsole::execute_each_once_served(routes, patience, commands);
  }
  return run_each(console_once_served_script(pgbouncer_ini_, routes, patience, commands), commands);
}

std::optional<std::vector<std::string>> SshConsole::run_each(
    const std::string& script, const std::vector<std::string>& commands) {
  for (const std::string& command : commands) {
    spdlog::debug("admin console over SSH: {}", command);
  }
  const CommandResult result = run_remote(remote_, script);
  if (result.exit_status == console_not_served) {
    return std::nullopt;
  }
  if (result.exit_status != 0) {
    throw HostError(step, one_line(result.errors));
  }
  return batch_errors(commands, result.errors);
}

std::string SshConsole::version() {
  const auto rows = run("SHOW VERSION");
  return rows.size() > 1 && !rows[1].empty() ? rows[1][0] : "";
}

bool SshConsole::has_admin_rights() { return probe_admin_rights(*this); }

ConsoleRows SshConsole::show(const std::string& what) { return run("SHOW " + what); }

}  // namespace pgdeploy
