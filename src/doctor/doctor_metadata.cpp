#include "doctor/doctor_metadata.hpp"

#include <algorithm>

#include "metadata/catalog.hpp"
#include "metadata/read_cluster.hpp"
#include "model/app_server.hpp"
#include "pgdeploy/version.hpp"
#include "plan/planner.hpp"
#include "util/errors.hpp"

namespace pgdeploy {
namespace {

constexpr const char* reachable_item = "database reachable";
constexpr const char* layout_item = "repmgr metadata found";
constexpr const char* app_servers_item = "app_servers columns valid";
constexpr const char* primary_item = "exactly one active primary";
constexpr const char* primary_up_item = "primary reachable and not in recovery";
constexpr const char* public_item = "node_public_info row of the primary";

void skip_all(Checklist& list, std::initializer_list<const char*> items, const std::string& why) {
  for (const char* item : items) {
    list.skip(item, why);
  }
}

std::string layout_detail(Layout layout, const std::string& schema) {
  return (layout == Layout::repmgr4 ? "repmgr 4/5, table " : "repmgr 1-3, table ") + schema +
         (layout == Layout::repmgr4 ? ".nodes" : ".repl_nodes");
}

std::string servers_detail(const std::vector<AppServer>& servers) {
  const auto enabled =
      std::count_if(servers.begin(), servers.end(), [](const AppServer& s) { return s.enabled; });
  return std::to_string(servers.size()) + (servers.size() == 1 ? " row, " : " rows, ") +
         std::to_string(enabled) + " enabled";
}

// The primary answers, is writable, and has an endpoint app servers can use.
void check_primary_up(const Node& primary, const DatabaseOpener& open, Checklist& list) {
  try {
    const CheckedPrimary checked = check_primary(primary, open);
    list.pass(primary_up_item,
              describe(checked.endpoint) + ", timeline " + std::to_string(checked.epoch.timeline));
  } catch (const Error& e) {
    list.fail(primary_up_item, e.what(),
              e.exit_code() == ExitCode::safety_refusal
                  ? "repmgr's metadata is stale: check `repmgr cluster show` and repmgrd"
                  : "start the primary, or fix its conninfo in repmgr's nodes table (a TCP host)");
  }
}

// The INSERT that gives the primary its row, in the spelling of the table in place (the
// original agent's table names the node column id); without a usable table, how to create it.
std::string public_row_fix(Catalog& catalog, const std::string& schema, const Node& primary) {
  try {
    return "INSERT INTO " + schema + ".node_public_info (" + catalog.public_id_column(schema) +
           ", conninfo) VALUES (" + std::to_string(primary.id) + ", 'host=... port=...')";
  } catch (const Error&) {
    return "create the table with psql -f " + std::string(sql_dir) +
           "/node_public_info.sql, then INSERT INTO " + schema +
           ".node_public_info (node_id, conninfo) VALUES (" + std::to_string(primary.id) +
           ", 'host=... port=...')";
  }
}

void check_public_endpoint(Catalog& catalog, const std::string& schema, const Node& primary,
                           Checklist& list) {
  try {
    const Endpoint target = catalog.public_endpoint(schema, primary);
    list.pass(public_item, describe(target));
  } catch (const Error& e) {
    list.fail(public_item, e.what(), public_row_fix(catalog, schema, primary));
  }
}

// Everything after the layout: app_servers, the primary, its endpoint.
void check_catalog(Catalog& catalog, Layout layout, const Options& options,
                   const DatabaseOpener& open, Checklist& list, MetadataFindings& found) {
  const std::string schema = catalog.schema_of(layout);
  try {
    found.app_servers = catalog.read_app_servers(schema);
    list.pass(app_servers_item, servers_detail(found.app_servers));
  } catch (const Error& e) {
    list.fail(app_servers_item, e.what(),
              "create it with psql -f " + std::string(sql_dir) +
                  "/app_servers.sql, or add the columns with psql -f " + sql_dir +
                  "/upgrade_app_servers.sql");
  }
  std::optional<Node> primary;
  try {
    primary = catalog.read_primary(schema, layout);
    list.pass(primary_item, describe(*primary));
  } catch (const Error& e) {
    list.fail(primary_item, e.what(), "check `repmgr cluster show`: one node must be the primary");
    skip_all(list, {primary_up_item}, "no single active primary");
    if (options.public_net) {
      list.skip(public_item, "no single active primary");
    }
    return;
  }
  check_primary_up(*primary, open, list);
  if (options.public_net) {
    check_public_endpoint(catalog, schema, *primary, list);
  }
}

}  // namespace

MetadataFindings check_metadata(const Options& options, const std::string& conninfo,
                                const DatabaseOpener& open) {
  MetadataFindings found;
  Checklist list("metadata");
  std::unique_ptr<Database> db;
  try {
    check_local_conninfo(options, conninfo);
    db = open_writable_node(conninfo, open);
    list.pass(reachable_item, "a writable node answers");
  } catch (const Error& e) {
    list.fail(reachable_item, e.what(),
              "start PostgreSQL, or fix --pgconnstring or repmgr.conf's conninfo");
    skip_all(list, {layout_item, app_servers_item, primary_item, primary_up_item},
             "no database connection");
    found.items = std::move(list.items());
    return found;
  }
  Catalog catalog(*db, options.cluster);
  try {
    const Layout layout = catalog.detect_layout();
    list.pass(layout_item, layout_detail(layout, catalog.schema_of(layout)));
    check_catalog(catalog, layout, options, open, list, found);
  } catch (const Error& e) {
    list.fail(layout_item, e.what(),
              "register the primary with `repmgr primary register`, or check -c and -p");
    skip_all(list, {app_servers_item, primary_item, primary_up_item}, "no repmgr metadata");
  }
  found.items = std::move(list.items());
  return found;
}

}  // namespace pgdeploy
