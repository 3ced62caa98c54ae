#pragma once

#include <functional>
#include <memory>
#include <string>

#include "model/node.hpp"
#include "postgres/database.hpp"

namespace pgdeploy {

// Opens a database connection from a conninfo; throws a metadata error when it cannot.
using DatabaseOpener = std::function<std::unique_ptr<Database>(const std::string& conninfo)>;

// The connection whose metadata can be trusted: the local node when it is not in recovery,
// else the node it streams from, following cascading standbys up to a few hops. A standby's
// copy of repmgr's tables can lag behind a promotion (the node that just rejoined or followed
// still lists the old primary), so it is never read. Throws a metadata error when no
// writable node is found this way; when the local node itself cannot be reached, its message
// ends with LOCAL_HINT (where that conninfo came from, and what to check).
std::unique_ptr<Database> open_writable_node(const std::string& local_conninfo,
                                             const DatabaseOpener& open,
                                             const std::string& local_hint = "");

// Refuses early what no connection can mend in the primary's repmgr conninfo: unparsable, a
// Unix socket, several hosts (a metadata error naming the node, never quoting the conninfo).
// A missing host or port is left to libpq; check_primary tells where it went.
void check_primary_conninfo(const Node& primary);

// The primary as the check found it: where the connection went and the epoch read there.
struct CheckedPrimary {
  Endpoint endpoint;
  Epoch epoch;
};

// Connects to the primary as repmgr describes it, requires it to accept writes and reads its
// epoch there: the timeline from pg_walfile_name(pg_current_wal_lsn()), which is current right
// after a promotion (pg_control_checkpoint() lags). The endpoint is the host and port that
// connection really used (PGPORT, PGHOST or a service file fill what the conninfo leaves
// out), so that the fragment names the server that was checked. Throws a metadata error
// (exit 3) when it is unreachable or its endpoint is a Unix socket or several hosts, and a
// safety refusal (exit 4) when it is in recovery: then the metadata is not the cluster's
// current state.
CheckedPrimary check_primary(const Node& primary, const DatabaseOpener& open);

// Asks every node of OTHERS (the nodes the metadata lists as active, witnesses and the primary
// left out) in parallel whether it accepts writes. One that does is a second primary: a safety
// refusal (exit 4) naming it. A node that does not answer is logged and skipped. Each
// connection is bounded by the opener's timeout.
void refuse_other_writable_nodes(const std::vector<Node>& others, const DatabaseOpener& open);

// The standbys that answer at their repmgr conninfo and are in recovery, in the given order.
// The others are left out with an info line: read-only routes never go to a dead node.
std::vector<Standby> running_standbys(const std::vector<Standby>& standbys,
                                      const DatabaseOpener& open);

}  // namespace pgdeploy
