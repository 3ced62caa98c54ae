#pragma once

#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "cli/options.hpp"
#include "model/app_server.hpp"
#include "plan/deploy_plan.hpp"
#include "support/fakes.hpp"
#include "support/scoped_home.hpp"

namespace pgdeploy::test {

// One row of app_servers as the fake metadata lists it.
struct AppServerRow {
  std::string name;
  std::string address;
  std::optional<std::string> admin_conninfo;
  bool enabled = true;
};

// Makes DB answer repmgr 4/5 metadata: repmgr.nodes with one active primary node 1 ("node1") at
// PRIMARY_CONNINFO and no other node, databases app and postgres, and app_servers with ROWS.
void answer_repmgr_metadata(FakeDatabase& db, const std::string& primary_conninfo,
                            const std::vector<AppServerRow>& rows);

// The plan of a run on primary node NODE ("nodeNODE") at HOST:5432 on TIMELINE, for the
// databases app and postgres, cluster "main", fenced.
DeployPlan plan_on(int node, const std::string& host, int timeline,
                   const std::string& lsn = "0/5000060");

// App server app1 (id 101) at 10.0.0.5, as the app_servers row {"app1", "10.0.0.5"} reads.
AppServer app1();

// The outside world of pgdeploy status or doctor, all fakes: the local node "host=local
// dbname=repmgr" holds repmgr metadata with ROWS and the primary node 1 at `primary`, a writable
// server on timeline 10. The options (cluster "main") point there, name /keys/deploy and
// /keys/known_hosts, and ask for every secret a deploy would sync (--sync-userlist, --sync-pgpass),
// with a $HOME that has no .pgpass.
struct ReadOnlyWorld {
  explicit ReadOnlyWorld(const std::vector<AppServerRow>& rows);

  // Gives `ssh`, recording "KEY KNOWN_HOSTS" in `loaded`; throws a usage error with
  // ssh_failure when it is set.
  HostConnectorLoader ssh_loader();

  static constexpr const char* primary = "host=10.0.0.12 port=5432 user=repmgr dbname=repmgr";
  const ScopedHome home;
  Options options;
  FakeServers servers;
  FakeDatabase& metadata;
  FakeHostConnector ssh;
  FakeAdminConnector admin;
  std::vector<std::string> loaded;
  std::optional<std::string> ssh_failure;
  std::ostringstream out;
};

}  // namespace pgdeploy::test
