#include "pgbouncer/admin_console.hpp"

#include "ssh/remote_host.hpp"

namespace pgdeploy {

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
