#include "pgbouncer/admin_console.hpp"

#include <algorithm>
#include <thread>

#include "ssh/remote_host.hpp"
#include "util/text.hpp"

namespace pgdeploy {
namespace {

// The index of column NAME in the header of ROWS, the answer of SHOW WHAT.
std::size_t column(const ConsoleRows& rows, const char* what, const char* name) {
  if (rows.empty()) {
    throw HostError("admin console", std::string("SHOW ") + what + " returned nothing");
  }
  const auto found = std::find(rows[0].begin(), rows[0].end(), name);
  if (found == rows[0].end()) {
    throw HostError("admin console", std::string("SHOW ") + what + " has no column " + name);
  }
  return static_cast<std::size_t>(found - rows[0].begin());
}

// ROWS but the header, and but the rows whose fields do not match it.
std::vector<const std::vector<std::string>*> data_rows(const ConsoleRows& rows) {
  std::vector<const std::vector<std::string>*> data;
  for (std::size_t row = 1; row < rows.size(); ++row) {
    if (rows[row].size() == rows[0].size()) {
      data.push_back(&rows[row]);
    }
  }
  return data;
}

}  // namespace

std::vector<RoutedDatabase> routed_databases(const ConsoleRows& rows) {
  const std::size_t name = column(rows, "DATABASES", "name");
  const std::size_t host = column(rows, "DATABASES", "host");
  const std::size_t port = column(rows, "DATABASES", "port");
  const std::size_t dbname = column(rows, "DATABASES", "database");
  std::vector<RoutedDatabase> databases;
  for (const auto* fields : data_rows(rows)) {
    databases.push_back({(*fields)[name], (*fields)[host],
                         parse_number<int>((*fields)[port]).value_or(0), (*fields)[dbname]});
  }
  return databases;
}

std::vector<ServerConnection> server_connections(const ConsoleRows& rows) {
  const std::size_t database = column(rows, "SERVERS", "database");
  const std::size_t addr = column(rows, "SERVERS", "addr");
  const std::size_t port = column(rows, "SERVERS", "port");
  std::vector<ServerConnection> servers;
  for (const auto* fields : data_rows(rows)) {
    servers.push_back(
        {(*fields)[database], (*fields)[addr], parse_number<int>((*fields)[port]).value_or(0)});
  }
  return servers;
}

std::vector<std::string> AdminConsole::execute_each(const std::vector<std::string>& commands) {
  std::vector<std::string> errors;
  for (const std::string& command : commands) {
    try {
      execute(command);
      errors.emplace_back();
    } catch (const std::exception& e) {
      errors.emplace_back(e.what());
    }
  }
  return errors;
}

namespace {

bool serves_all(const std::vector<RoutedDatabase>& listed,
                const std::vector<RoutedDatabase>& routes) {
  return std::all_of(routes.begin(), routes.end(), [&](const RoutedDatabase& route) {
    return std::find(listed.begin(), listed.end(), route) != listed.end();
  });
}

}  // namespace

std::optional<std::vector<std::string>> AdminConsole::execute_each_once_served(
    const std::vector<RoutedDatabase>& routes, std::chrono::milliseconds patience,
    const std::vector<std::string>& commands) {
  const auto give_up = std::chrono::steady_clock::now() + patience;
  while (!serves_all(show_databases(), routes)) {
    if (std::chrono::steady_clock::now() >= give_up) {
      return std::nullopt;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return execute_each(commands);
}

bool probe_admin_rights(AdminConsole& console) {
  try {
    console.execute("RESUME \"pgdeploy: probe of admin rights, harmless\"");
  } catch (const HostError& e) {
    const std::string message = e.what();
    if (message.find("admin access needed") != std::string::npos) {
      return false;
    }
    if (message.find("no such database") != std::string::npos) {
      return true;
    }
    throw;
  }
  return true;
}

}  // namespace pgdeploy
