#include "metadata/read_cluster.hpp"

#include <stdexcept>

#include "metadata/catalog.hpp"
#include "metadata/primary_check.hpp"
#include "metadata/userlist.hpp"
#include "postgres/conninfo.hpp"
#include "util/errors.hpp"

namespace pgdeploy {

std::string local_conninfo(const Options& options, const std::optional<RepmgrConfig>& config) {
  if (options.pgconnstring) {
    return *options.pgconnstring;
  }
  return config ? *config->conninfo : std::string(default_pgconnstring);
}

void check_local_conninfo(const Options& options, const std::string& conninfo) {
  if (!is_connection_string(conninfo)) {
    return;  // a database name
  }
  try {
    parse_conninfo(conninfo);
  } catch (const std::invalid_argument& e) {
    const std::string origin = options.pgconnstring ? "-p"
                               : options.repmgr_config
                                   ? "the conninfo in " + options.repmgr_config->string()
                                   : "the default conninfo";
    throw metadata_error(origin + ": " + e.what());
  }
}

namespace {

// Where the local conninfo came from, for a connection that fails: what the user can change.
std::string local_connection_hint(const Options& options) {
  if (options.pgconnstring) {
    return "check -p";
  }
  if (options.repmgr_config) {
    return "check the conninfo in " + options.repmgr_config->string() + ", or pass -p";
  }
  return std::string("the default is ") + default_pgconnstring +
         ": pass -f with repmgr.conf, or -p";
}

}  // namespace

ClusterState read_cluster(const Options& options, const std::string& conninfo,
                          const DatabaseOpener& open, Secrets secrets) {
  check_local_conninfo(options, conninfo);
  const std::unique_ptr<Database> db =
      open_writable_node(conninfo, open, local_connection_hint(options));
  // Standbys only matter for read-only routes.
  ClusterState state =
      Catalog(*db, options.cluster).read(options.public_net, options.ro_suffix.has_value());
  if (options.sync_userlist && secrets == Secrets::read) {
    state.userlist = userlist_from(*db);
  }
  const CheckedPrimary checked = check_primary(state.primary, open);
  state.epoch = checked.epoch;
  if (!options.public_net) {
    state.primary_endpoint = checked.endpoint;
  }
  refuse_other_writable_nodes(state.other_nodes, open);
  if (options.ro_suffix) {
    state.standbys = running_standbys(state.standbys, open);
  }
  return state;
}

}  // namespace pgdeploy
