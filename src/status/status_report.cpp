#include "status/status_report.hpp"

#include <algorithm>
#include <map>

#include "publish/agent_acks.hpp"
#include "report/json_report.hpp"
#include "report/json_text.hpp"
#include "util/text.hpp"

namespace pgdeploy {
namespace {

// An agent's row: its acknowledgement, whose key lives as long as the agent's lease.
std::string ack_text(const HostStatus& host) {
  if (!host.ack) {
    return host.ack_read ? "no acknowledgement" : "?";
  }
  return "ack: " + describe_ack(*host.ack) +
         (host.ack->lease != 0 ? ", lease alive" : ", no lease");
}

std::string points_at(const HostStatus& host) {
  if (host.agent) {
    return ack_text(host);
  }
  if (!host.fragment) {
    return host.fragment_absent ? "(none)" : "?";
  }
  return describe_holder(*host.fragment);
}

// "10.0.0.12:5432 (app, postgres)": the fragment's databases grouped by where PgBouncer sends them.
std::string live_text(const HostStatus& host) {
  if (host.agent) {
    return "- (agent)";
  }
  if (!host.has_console) {
    return "- (no admin_conninfo)";
  }
  std::map<std::string, std::string> by_target;
  for (const RoutedDatabase& db : host.live) {
    std::string& names = by_target[describe(Endpoint{db.host, db.port})];
    names += (names.empty() ? "" : ", ") + db.name;
  }
  std::string text;
  for (const auto& [target, names] : by_target) {
    text += text.empty() ? "" : "; ";
    text.append(target).append(" (").append(names).append(")");
  }
  return text.empty() ? "none" : text;
}

// "127.0.0.1:5433 4; 127.0.0.1:5432 1": PgBouncer's server connections per server.
std::string servers_text(const HostStatus& host) {
  if (!host.has_console) {
    return "-";
  }
  std::string text;
  for (const ServerCount& count : host.servers) {
    text += (text.empty() ? "" : "; ") + describe(Endpoint{count.addr, count.port}) + " " +
            std::to_string(count.connections);
  }
  return text.empty() ? "none" : text;
}

using Row = std::vector<std::string>;

// The CURRENT column's colour on a terminal (SGR codes): green yes, yellow ?, red NO.
const char* current_colour(const std::string& cell) {
  if (cell == "yes") {
    return "32";
  }
  return cell == "?" ? "33" : "31";
}

constexpr std::size_t current_column = 3;

// The rows in aligned columns, two spaces apart; with COLOUR, the CURRENT column coloured.
std::string render_rows(std::vector<Row> rows, bool colour) {
  std::vector<std::size_t> widths(rows.front().size(), 0);
  for (Row& row : rows) {
    std::ranges::transform(row, row.begin(),
                           [](const std::string& cell) { return printable(cell); });
  }
  for (const Row& row : rows) {
    for (std::size_t c = 0; c < row.size(); ++c) {
      widths[c] = std::max(widths[c], row[c].size());
    }
  }
  std::string text;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const Row& row = rows[r];
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c) {
      // The header is never coloured; padding is counted on the text alone.
      const bool coloured = colour && r > 0 && c == current_column;
      line += coloured ? "\033[" + std::string(current_colour(row[c])) + "m" + row[c] + "\033[0m"
                       : row[c];
      line += c + 1 < row.size() ? std::string(widths[c] - row[c].size() + 2, ' ') : "";
    }
    text += line + "\n";
  }
  return text;
}

// VALUE, or null when it is unset.
template <typename T>
ordered_json or_null(const std::optional<T>& value) {
  return value ? ordered_json(*value) : ordered_json(nullptr);
}

ordered_json fragment_json(const HostStatus& host) {
  if (!host.fragment) {
    return nullptr;
  }
  const FragmentFile& f = *host.fragment;
  return {{"primary_id", or_null(f.primary_id)},
          {"primary_name", f.primary_name},
          {"host", f.target ? ordered_json(f.target->host) : nullptr},
          {"port", f.target ? ordered_json(f.target->port) : nullptr},
          {"timeline", or_null(f.timeline)},
          {"lsn", f.lsn},
          {"modified", host.modified}};
}

ordered_json ack_json(const HostStatus& host) {
  if (!host.ack) {
    return nullptr;
  }
  const AgentAck& ack = *host.ack;
  return {{"system_identifier", ack.system_identifier},
          {"timeline", ack.timeline},
          {"lsn", ack.lsn},
          {"primary_id", ack.primary_id},
          {"revision", ack.revision},
          {"result", ack.result},
          {"reason", ack.reason},
          {"time", ack.time},
          {"lease_alive", ack.lease != 0},
          {"problem", ack.problem}};
}

ordered_json servers_json(const HostStatus& host) {
  if (!host.has_console) {
    return nullptr;
  }
  ordered_json json = ordered_json::array();
  for (const ServerCount& count : host.servers) {
    json.push_back(
        {{"addr", count.addr}, {"port", count.port}, {"connections", count.connections}});
  }
  return json;
}

ordered_json live_json(const HostStatus& host) {
  if (!host.has_console) {
    return nullptr;
  }
  ordered_json json = ordered_json::array();
  for (const RoutedDatabase& db : host.live) {
    json.push_back(
        {{"database", db.name}, {"host", db.host}, {"port", db.port}, {"dbname", db.dbname}});
  }
  return json;
}

// The CURRENT column: yes; ? when the fragment could not be read; NO (not included) when
// PgBouncer's configuration does not include it; NO (live) when the fragment is current but
// PgBouncer serves something else; NO when the fragment points elsewhere.
std::string current_text(const HostStatus& host) {
  if (host.current()) {
    return "yes";
  }
  if (!host.known()) {
    return "?";
  }
  if (!host.unserved.empty()) {
    return "NO (not included)";
  }
  return host.fragment_current ? "NO (live)" : "NO";
}

ordered_json host_json(const HostStatus& host) {
  return {{"name", host.name},
          {"address", host.address},
          {"fragment", fragment_json(host)},
          {"current", host.known() ? ordered_json(host.current()) : nullptr},
          {"fragment_current", host.fragment_current},
          {"live", live_json(host)},
          {"servers", servers_json(host)},
          {"unserved", host.unserved.empty() ? nullptr : ordered_json(host.unserved)},
          {"delivery", host.agent ? "agent" : "ssh"},
          {"ack", ack_json(host)},
          {"problem", host.problem}};
}

// A host whose fragment holds a newer timeline of the same system than this node's primary:
// the one with the newest, or null.
const HostStatus* newer_epoch_host(const DeployPlan& plan, const std::vector<HostStatus>& hosts) {
  const HostStatus* newest = nullptr;
  for (const HostStatus& host : hosts) {
    if (!host.fragment || !host.fragment->timeline ||
        *host.fragment->timeline <= plan.epoch.timeline ||
        (!host.fragment->system_identifier.empty() &&
         host.fragment->system_identifier != plan.epoch.system_identifier)) {
      continue;
    }
    if (newest == nullptr || *host.fragment->timeline > *newest->fragment->timeline) {
      newest = &host;
    }
  }
  return newest;
}

}  // namespace

std::optional<std::string> stale_view_warning(const DeployPlan& plan,
                                              const std::vector<HostStatus>& hosts) {
  const HostStatus* host = newer_epoch_host(plan, hosts);
  if (host == nullptr) {
    return std::nullopt;
  }
  const FragmentFile& held = *host->fragment;
  return "this node's view looks stale: " + host->name + " holds a fragment of " + held.holder +
         " on timeline " + std::to_string(*held.timeline) + ", newer than timeline " +
         std::to_string(plan.epoch.timeline) + " here. The primary named here may be an old " +
         "primary that came back: run pgdeploy status on " + held.holder +
         ", and rejoin this node (repmgr node rejoin) before deploying from it";
}

std::string render_status(const DeployPlan& plan, const std::vector<HostStatus>& hosts,
                          bool colour) {
  std::string text =
      printable("Cluster " + plan.cluster + ": primary " + describe(plan.primary) + " at " +
                describe(plan.target) + ", timeline " + std::to_string(plan.epoch.timeline) +
                " (lsn " + plan.epoch.lsn + ")") +
      "\n\n";
  if (const auto warning = stale_view_warning(plan, hosts)) {
    const std::string line = printable("WARNING: " + *warning);
    text += (colour ? "\033[1;33m" + line + "\033[0m" : line) + "\n\n";
  }
  std::vector<Row> rows{{"NAME", "ADDRESS", "FRAGMENT POINTS AT", "CURRENT", "PGBOUNCER LIVE",
                         "SERVER CONNECTIONS", "MODIFIED"}};
  for (const HostStatus& host : hosts) {
    rows.push_back({host.name, host.address, points_at(host), current_text(host), live_text(host),
                    servers_text(host), host.modified.empty() ? "-" : host.modified});
  }
  text += render_rows(std::move(rows), colour);
  for (const HostStatus& host : hosts) {
    if (!host.unserved.empty()) {
      text += printable(host.name + ": " + host.unserved) + "\n";
    }
    if (!host.problem.empty()) {
      text += printable(host.name + ": " + host.problem) + "\n";
    }
  }
  return text;
}

std::string status_json(const std::string& cluster, const DeployPlan* plan,
                        const std::vector<HostStatus>& hosts, ExitCode code,
                        const std::string& error) {
  ordered_json json_hosts = ordered_json::array();
  for (const HostStatus& host : hosts) {
    json_hosts.push_back(host_json(host));
  }
  const auto warning = plan != nullptr ? stale_view_warning(*plan, hosts) : std::nullopt;
  return to_json_text({{"cluster", cluster},
                       {"primary", plan != nullptr ? primary_json(*plan) : nullptr},
                       {"hosts", std::move(json_hosts)},
                       {"stale_view", or_null(warning)},
                       {"exit_code", static_cast<int>(code)},
                       {"error", error}}) +
         "\n";
}

}  // namespace pgdeploy
