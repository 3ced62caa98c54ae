#include "metadata/primary_check.hpp"

#include <spdlog/spdlog.h>

#include <future>
#include <stdexcept>

#include "postgres/conninfo.hpp"
#include "util/errors.hpp"
#include "util/text.hpp"

namespace pgdeploy {
namespace {

constexpr int max_hops = 4;  // local node, its upstream, and up to two cascading levels

bool in_recovery(Database& db) {
  return db.query("SELECT pg_catalog.pg_is_in_recovery()", {}).rows.at(0).at(0) == "t";
}

// The node a standby streams from, from its WAL receiver.
std::optional<Endpoint> upstream_of(Database& db) {
  const QueryResult result = db.query(
      "SELECT sender_host, sender_port::text FROM pg_catalog.pg_stat_wal_receiver"
      " WHERE status = 'streaming' AND sender_host IS NOT NULL",
      {});
  if (result.rows.empty()) {
    return std::nullopt;
  }
  Endpoint upstream{result.rows[0][0].value_or(""), 0};
  const std::string port = result.rows[0][1].value_or("");
  upstream.port = parse_number<int>(port).value_or(0);
  return upstream;
}

}  // namespace

std::unique_ptr<Database> open_writable_node(const std::string& local_conninfo,
                                             const DatabaseOpener& open,
                                             const std::string& local_hint) {
  std::string conninfo = local_conninfo;
  for (int hop = 0; hop < max_hops; ++hop) {
    std::unique_ptr<Database> db;
    try {
      db = open(conninfo);
    } catch (const Error& e) {
      if (hop > 0 || local_hint.empty()) {
        throw;
      }
      throw Error(e.exit_code(), std::string(e.what()) + " (" + local_hint + ")");
    }
    if (!in_recovery(*db)) {
      return db;
    }
    const std::optional<Endpoint> upstream = upstream_of(*db);
    if (!upstream) {
      throw metadata_error(
          "the local node is a standby that streams from no upstream; its copy of the metadata "
          "may be stale");
    }
    spdlog::debug("node is in recovery; reading the metadata on its upstream {}",
                  describe(*upstream));
    try {
      conninfo = with_endpoint(local_conninfo, *upstream);
    } catch (const std::invalid_argument& e) {
      throw metadata_error(std::string("cannot build the upstream's conninfo: ") + e.what());
    }
  }
  throw metadata_error("no writable node within " + std::to_string(max_hops) +
                       " replication hops of the local node");
}

std::vector<Standby> running_standbys(const std::vector<Standby>& standbys,
                                      const DatabaseOpener& open) {
  std::vector<Standby> running;
  for (const Standby& standby : standbys) {
    try {
      if (in_recovery(*open(standby.node.conninfo))) {
        running.push_back(standby);
        continue;
      }
      spdlog::info("standby {} is not in recovery: no read-only routes to it",
                   describe(standby.node));
    } catch (const Error& e) {
      spdlog::info("standby {} does not answer: no read-only routes to it ({})",
                   describe(standby.node), e.what());
    }
  }
  return running;
}

void refuse_other_writable_nodes(const std::vector<Node>& others, const DatabaseOpener& open) {
  std::vector<std::future<std::optional<std::string>>> answers;
  answers.reserve(others.size());
  for (const Node& node : others) {
    answers.push_back(
        std::async(std::launch::async, [&node, &open]() -> std::optional<std::string> {
          try {
            return in_recovery(*open(node.conninfo)) ? std::nullopt : std::optional(describe(node));
          } catch (const std::exception& e) {
            // A node that is down cannot take writes from anyone: it does not block the deploy.
            spdlog::info("{} does not answer; it cannot be checked for a second primary ({})",
                         describe(node), e.what());
            return std::nullopt;
          }
        }));
  }
  std::string writable;
  for (auto& answer : answers) {
    if (const auto node = answer.get()) {
      writable += (writable.empty() ? "" : ", ") + *node;
    }
  }
  if (!writable.empty()) {
    throw safety_refusal(
        "two primaries: " + writable +
        (writable.find(", ") == std::string::npos ? " accepts" : " accept") +
        " writes, although the metadata lists it as a standby (find the node that must not be "
        "primary with `repmgr cluster show` on each, stop it and `repmgr node rejoin` it, or "
        "rebuild it)");
  }
}

namespace {

Epoch read_epoch(Database& db, const Node& primary) {
  const QueryResult result = db.query(
      "SELECT substr(pg_catalog.pg_walfile_name(pg_catalog.pg_current_wal_lsn()), 1, 8),"
      " pg_catalog.pg_current_wal_lsn()::text,"
      " (SELECT system_identifier::text FROM pg_catalog.pg_control_system())",
      {});
  Epoch epoch{0, result.rows.at(0).at(1).value_or(""), result.rows.at(0).at(2).value_or("")};
  const std::string timeline = result.rows.at(0).at(0).value_or("");
  epoch.timeline = parse_number<int>(timeline, 16).value_or(0);
  if (epoch.timeline < 1) {
    throw metadata_error("cannot read the timeline of " + describe(primary) + ": \"" + timeline +
                         "\"");
  }
  return epoch;
}

Endpoint connected_endpoint(const Database& db, const Node& primary) {
  try {
    return endpoint_of(db.settings());
  } catch (const std::invalid_argument& e) {
    throw metadata_error("primary " + describe(primary) + ": unusable conninfo: " + e.what());
  }
}

}  // namespace

void check_primary_conninfo(const Node& primary) {
  try {
    check_named_host(parse_conninfo(primary.conninfo));
  } catch (const std::invalid_argument& e) {
    throw metadata_error("primary " + describe(primary) + ": unusable conninfo: " + e.what());
  }
}

CheckedPrimary check_primary(const Node& primary, const DatabaseOpener& open) {
  check_primary_conninfo(primary);
  std::unique_ptr<Database> db;
  try {
    db = open(primary.conninfo);
  } catch (const Error& e) {
    throw metadata_error("the primary " + describe(primary) + " is unreachable: " + e.what());
  }
  if (in_recovery(*db)) {
    throw safety_refusal("the metadata names " + describe(primary) +
                         " as primary, but it is in recovery");
  }
  const Endpoint endpoint = connected_endpoint(*db, primary);
  return {endpoint, read_epoch(*db, primary)};
}

}  // namespace pgdeploy
