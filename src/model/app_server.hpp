#pragma once

#include <optional>
#include <string>

namespace pgdeploy {

// How a row's fragment reaches it: pushed over SSH by the database node, or pulled from etcd by
// the agent on the app server itself.
enum class Delivery { ssh, agent };

// One row of app_servers, with the defaults of absent columns applied.
struct AppServer {
  int id = 0;
  std::string name;
  std::string address;
  std::string username = "postgres";
  std::string application_name;
  bool enabled = true;
  bool auth_trust = false;
  int ssh_port = 22;
  std::string config_dir = "/etc/pgbouncer/databases";
  std::optional<std::string> reload_command;  // nullopt: the default reload command
  std::optional<std::string> admin_conninfo;  // nullopt: reload over SSH, no verification
  std::string location;                       // optional column: prefer standbys there
  std::string pgbouncer_ini = "/etc/pgbouncer/pgbouncer.ini";  // read only by pgdeploy doctor
  Delivery delivery = Delivery::ssh;  // optional column: ssh (default) or agent
  std::string invalid_reason;         // non-empty: the row is unusable, and why
};

}  // namespace pgdeploy
