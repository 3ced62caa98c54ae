#pragma once

#include "cli/options.hpp"
#include "etcd/etcd_client.hpp"
#include "pgbouncer/admin_console.hpp"
#include "util/errors.hpp"

namespace pgdeploy {

// The lease of an agent's acknowledgement: renewed while it runs (every third of it), so that
// it vanishes soon after an agent that died; an agent that stops on a signal revokes it. 30 s,
// as Patroni's TTL: a renewal every 10 s is all an idle agent does. With --once, long enough
// to be read and not renewed.
inline constexpr int agent_lease_seconds = 30;
inline constexpr int once_lease_seconds = 60;

// pgdeploy agent: reads the cluster's state from etcd under PREFIX/CLUSTER/ (epoch, primary,
// databases and its own app_servers/NAME, in one linearizable read), renders this app server's
// fragment, installs it locally
// (LocalInstaller) and acknowledges at agents/NAME. With --once that is all, and the exit code
// is a deploy's: 0 updated or unchanged, 1 the install or reload failed, 4 refused by fencing,
// 3 etcd unreachable or its state unreadable. Without it, it watches the prefix and applies
// every change until SIGINT or SIGTERM (exit 0), re-reading on every broken watch and every
// --reread seconds, and retrying an unreachable etcd with backoff (0.1 s doubling to 5 s)
// while the last good file stays in place.
ExitCode run_agent(const Options& options, etcd::EtcdClient& client, AdminConnector& admin);

}  // namespace pgdeploy
