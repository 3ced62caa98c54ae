#include "pgbouncer/admin_console.hpp"

#include <algorithm>
#include <thread>

#include "ssh/remote_host.hpp"

namespace pgdeploy {

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
