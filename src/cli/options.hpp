#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace pgdeploy {

struct TimeLimits;

enum class Verbosity { quiet, normal, verbose };

// The local repmgr database when neither -p nor repmgr.conf names one.
inline constexpr const char* default_pgconnstring = "host=/var/run/postgresql dbname=repmgr";

// What repmgr passes when it runs pgdeploy as its event_notification_command.
struct EventOptions {
  std::optional<std::string> event;    // %e; unset: a run by hand or from a timer
  std::optional<int> node_id;          // %n
  std::optional<std::string> success;  // %s: "1" or "0"
  std::string details;                 // %d
};

// What happens to client sessions of a PgBouncer whose target changed (admin console only).
enum class Sessions {
  keep,       // leave them: session-pooled clients stay on the old server until they leave
  reconnect,  // RECONNECT db: each server connection is closed when released
  kill,       // KILL db then RESUME db: cut every client at once
  automatic   // kill for routes to the primary, reconnect for read-only routes
};

// What a run does with the hosts.
enum class Mode {
  deploy,   // change what differs
  dry_run,  // show per host the diff of what would change; change nothing
  check     // monitoring: report drift, change nothing
};

// Which subcommand runs.
enum class Command {
  deploy,  // no subcommand: point every app server at the primary
  status,  // show where every app server points; read-only
  doctor,  // check every piece of the setup; read-only
  agent    // on an app server: pull the state from etcd and install its fragment
};

// pgdeploy agent's own options.
struct AgentOptions {
  std::optional<std::string> name;            // --name; unset: the host name
  std::optional<std::string> config_dir;      // --config-dir; unset: the published row's
  std::optional<std::string> admin_conninfo;  // --admin-conninfo: RELOAD and verify
  std::optional<std::string> reload_command;  // --reload-command: run with /bin/sh -c
  bool once = false;                          // --once: apply the current state and exit
  int reread_seconds = 30;  // --reread: read everything again this often, to repair drift
};

// The PgBouncer userlist path on app servers when --sync-userlist is given without one.
inline constexpr const char* default_userlist_path = "/etc/pgbouncer/userlist.txt";

// Where a deploy publishes the cluster's state for agents to pull; no endpoint: nowhere.
struct EtcdOptions {
  std::vector<std::string> endpoints;           // --etcd URL[,URL...]: tried in turn
  std::string prefix = "/pgdeploy";             // --etcd-prefix: the keys are PREFIX/CLUSTER/...
  std::optional<std::filesystem::path> cacert;  // --etcd-cacert
  std::optional<std::filesystem::path> cert;    // --etcd-cert
  std::optional<std::filesystem::path> key;     // --etcd-key
  std::optional<std::string> user;              // --etcd-user
  std::optional<std::filesystem::path> password_file;  // --etcd-password-file
  std::optional<int> wait_agents;  // --wait-agents: seconds a deploy waits for the agents' acks
};

// Everything the command line configures for one run.
// NOLINTNEXTLINE(clang-analyzer-optin.performance.Padding): in --help's order; one per run
struct Options {
  std::string cluster;
  std::optional<std::string> pgconnstring;             // -p; wins over repmgr.conf
  std::optional<std::filesystem::path> repmgr_config;  // -f
  int timeout_seconds = 2;                             // -t: each single wait
  // --host-timeout: everything done for one app server; unset: host_timeout_factor times -t.
  std::optional<int> host_timeout_seconds;
  int run_timeout_seconds = 60;  // --run-timeout: the whole run, database and lock wait included
  bool public_net = false;
  std::optional<std::filesystem::path> ssh_key;      // unset: first default key that exists
  std::optional<std::filesystem::path> known_hosts;  // unset: ~/.ssh/known_hosts
  int jobs = 32;
  bool force = false;  // skip the epoch check (after rebuilding a cluster from scratch)
  Verbosity verbosity = Verbosity::normal;
  bool syslog = false;  // log to syslog (journald) instead of stderr
  EventOptions event;
  Command command = Command::deploy;
  Mode mode = Mode::deploy;
  bool json = false;                                  // machine-readable report on stdout
  std::optional<std::filesystem::path> metrics_file;  // Prometheus textfile, rewritten every run
  std::optional<std::filesystem::path> config_file;   // --config; unset: /etc/pgdeploy.ini if any
  int lock_wait_seconds = 30;  // how long to wait for another run of the same cluster
  // --lock-dir (or PGDEPLOY_LOCK_DIR); unset: /run/pgdeploy, the same for every run on the node
  std::optional<std::filesystem::path> lock_dir;
  Sessions sessions = Sessions::automatic;
  bool pause = false;                        // wrap the switch in PAUSE/RESUME (admin console only)
  std::optional<std::string> sync_userlist;  // remote path of PgBouncer's userlist
  bool sync_pgpass = false;                  // copy ~/.pgpass to hosts without auth_trust
  std::optional<std::string> ro_suffix;      // add NAME<suffix> entries routed to a standby
  std::vector<std::string> exclude_databases;  // databases not routed (default: none)
  std::optional<int> watch_seconds;            // status --watch: shown again every N seconds
  EtcdOptions etcd;
  AgentOptions agent;
};

// status --watch's interval when it names none, as watch(1)'s.
inline constexpr int default_watch_seconds = 2;

// --host-timeout's default in multiples of -t: room for the SSH connect, key exchange and auth,
// the installer, the reload and the verification, each of which -t bounds on its own.
inline constexpr int host_timeout_factor = 5;

// The time limits OPTIONS set, the run starting now.
TimeLimits limits_for(const Options& options);

// True when NAME is a valid cluster name: [A-Za-z0-9_-]+.
bool is_valid_cluster_name(const std::string& name);

// The user's ~/.ssh directory ($HOME, else the password database).
std::filesystem::path user_ssh_dir();

// The private key to use: the explicit one, else the first of id_ed25519, id_ecdsa, id_rsa in
// ssh_dir that exists. Throws a usage error when there is none.
std::filesystem::path resolve_ssh_key(const Options& options, const std::filesystem::path& ssh_dir);

// The known_hosts file to use: the explicit one, else ssh_dir/known_hosts.
std::filesystem::path resolve_known_hosts(const Options& options,
                                          const std::filesystem::path& ssh_dir);

// The private key and the known_hosts file a run reaches the app servers with.
struct SshFiles {
  std::filesystem::path key;
  std::filesystem::path known_hosts;
};

// resolve_ssh_key and resolve_known_hosts in the user's ~/.ssh. Throws a usage error when no
// key is found.
SshFiles ssh_files(const Options& options);

// Why OPTIONS cannot wait for agents: --wait-agents outside a deploy with --etcd (checked by
// the core program, so that each option alone still parses, from the file as well).
std::optional<std::string> wait_agents_problem(const Options& options);

}  // namespace pgdeploy
