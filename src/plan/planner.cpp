#include "plan/planner.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <iterator>

#include "model/app_server.hpp"
#include "plan/extra_files.hpp"
#include "plan/fragment.hpp"
#include "plan/pgbouncer_syntax.hpp"
#include "util/errors.hpp"

namespace pgdeploy {

namespace {

// A suffix that keeps keys in PgBouncer's alphabet: letters, digits, '_', '.', '-'.
void check_ro_suffix(const std::optional<std::string>& suffix) {
  if (suffix && (suffix->empty() || !is_representable_database("x" + *suffix))) {
    throw usage_error("--ro-suffix must be 1 to 62 letters, digits, '_', '.' or '-', not \"" +
                      comment_text(*suffix) + "\"");
  }
}

// A name in --exclude-databases that no database has is likely a typo: the database meant to be
// left out is routed.
void warn_about_unknown_exclusions(const std::vector<std::string>& excluded,
                                   const std::vector<std::string>& databases) {
  for (const std::string& name : excluded) {
    if (std::find(databases.begin(), databases.end(), name) == databases.end()) {
      spdlog::warn("--exclude-databases: there is no database {}", comment_text(name));
    }
  }
}

}  // namespace

DeployPlan plan_for(const Options& options, const ClusterState& state) {
  check_ro_suffix(options.ro_suffix);
  DeployPlan plan{
      options.cluster, state.primary,    state.primary_endpoint, state.epoch,       {},
      !options.force,  options.sessions, options.pause,          options.ro_suffix, state.standbys};
  if (options.ro_suffix && state.standbys.empty()) {
    spdlog::warn("--ro-suffix: no standby runs; read-only routes go to the primary");
  }
  if (options.force) {
    spdlog::warn(
        "--force: NOT checking the timelines of the fragments in place; a fragment "
        "written for a newer or another primary, or another cluster, will be replaced by node "
        "{} on timeline {}",
        state.primary.id, state.epoch.timeline);
  }
  warn_about_unknown_exclusions(options.exclude_databases, state.databases);
  for (const std::string& name : state.databases) {
    if (std::find(options.exclude_databases.begin(), options.exclude_databases.end(), name) !=
        options.exclude_databases.end()) {
      spdlog::debug("database {} left out: --exclude-databases", comment_text(name));
    } else if (is_representable_database(name)) {
      plan.databases.push_back(name);
    } else {
      spdlog::warn("database \"{}\" left out: PgBouncer cannot route a database of that name",
                   comment_text(name));
    }
  }
  if (options.ro_suffix) {  // once per run, not once per host
    for (const std::string& key : shadowed_read_only_keys(plan.databases, *options.ro_suffix)) {
      spdlog::warn(
          "--ro-suffix: no read-only line {} for {}: a database named {} exists and "
          "keeps its key",
          key, key.substr(0, key.size() - options.ro_suffix->size()), key);
    }
  }
  return plan;
}

void add_extra_files(DeployPlan& plan, const Options& options, const ClusterState& state) {
  if (options.sync_userlist) {
    plan.extras.push_back(userlist_file(*options.sync_userlist, state.userlist));
  }
  if (options.sync_pgpass) {
    plan.extras.push_back(pgpass_file(user_ssh_dir().parent_path()));
  }
}

std::vector<AppServer> enabled_servers(const ClusterState& state) {
  std::vector<AppServer> enabled;
  for (const AppServer& server : state.app_servers) {
    if (server.enabled) {
      if (const auto cut = application_name_cut(server.application_name)) {
        spdlog::warn("{} ({}): {}; shorten it in app_servers", server.name, server.address, *cut);
      }
      enabled.push_back(server);
    } else {
      spdlog::debug("{} ({}): disabled, left alone", server.name, server.address);
    }
  }
  return enabled;
}

std::vector<AppServer> delivered_by(const std::vector<AppServer>& hosts, Delivery delivery) {
  std::vector<AppServer> rows;
  std::ranges::copy_if(hosts, std::back_inserter(rows),
                       [&](const AppServer& host) { return host.delivery == delivery; });
  return rows;
}

std::string names_of(const std::vector<AppServer>& hosts) {
  std::string names;
  for (const AppServer& host : hosts) {
    names += (names.empty() ? "" : ", ") + host.name;
  }
  return names;
}

}  // namespace pgdeploy
