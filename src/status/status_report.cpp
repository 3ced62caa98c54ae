#include "status/status_report.hpp"

#include <algorithm>
#include <map>

#include "publish/agent_acks.hpp"
#include "report/json_report.hpp"
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

std::string fragment_json(const HostStatus& host) {
  if (!host.fragment) {
    return "null";
  }
  const FragmentFile& f = *host.fragment;
  return "{\"primary_id\": " + (f.primary_id ? std::to_string(*f.primary_id) : "null") +
         ", \"primary_name\": " + json_string(f.primary_name) +
         ", \"host\": " + (f.target ? json_string(f.target->host) : "null") +
         ", \"port\": " + (f.target ? std::to_string(f.target->port) : "null") +
         ", \"timeline\": " + (f.timeline ? std::to_string(*f.timeline) : "null") +
         ", \"lsn\": " + json_string(f.lsn) + ", \"modified\": " + json_string(host.modified) + "}";
}

std::string ack_json(const HostStatus& host) {
  if (!host.ack) {
    return "null";
  }
  const AgentAck& ack = *host.ack;
  return "{\"system_identifier\": " + json_string(ack.system_identifier) +
         ", \"timeline\": " + std::to_string(ack.timeline) + ", \"lsn\": " + json_string(ack.lsn) +
         ", \"primary_id\": " + std::to_string(ack.primary_id) +
         ", \"revision\": " + std::to_string(ack.revision) +
         ", \"result\": " + json_string(ack.result) + ", \"reason\": " + json_string(ack.reason) +
         ", \"time\": " + json_string(ack.time) +
         ", \"lease_alive\": " + (ack.lease != 0 ? "true" : "false") +
         ", \"problem\": " + json_string(ack.problem) + "}";
}

std::string servers_json(const HostStatus& host) {
  if (!host.has_console) {
    return "null";
  }
  std::string json = "[";
  for (const ServerCount& count : host.servers) {
    json += std::string(json.size() > 1 ? ", " : "") + "{\"addr\": " + json_string(count.addr) +
            ", \"port\": " + std::to_string(count.port) +
            ", \"connections\": " + std::to_string(count.connections) + "}";
  }
  return json + "]";
}

std::string live_json(const HostStatus& host) {
  if (!host.has_console) {
    return "null";
  }
  std::string json = "[";
  for (const RoutedDatabase& db : host.live) {
    json += std::string(json.size() > 1 ? ", " : "") + "{\"database\": " + json_string(db.name) +
            ", \"host\": " + json_string(db.host) + ", \"port\": " + std::to_string(db.port) +
            ", \"dbname\": " + json_string(db.dbname) + "}";
  }
  return json + "]";
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

std::string host_json(const HostStatus& host) {
  const char* current = !host.known() ? "null" : (host.current() ? "true" : "false");
  return "{\"name\": " + json_string(host.name) + ", \"address\": " + json_string(host.address) +
         ", \"fragment\": " + fragment_json(host) + ", \"current\": " + current +
         ", \"fragment_current\": " + (host.fragment_current ? "true" : "false") +
         ", \"live\": " + live_json(host) + ", \"servers\": " + servers_json(host) +
         ", \"unserved\": " + (host.unserved.empty() ? "null" : json_string(host.unserved)) +
         ", \"delivery\": " + (host.agent ? "\"agent\"" : "\"ssh\"") +
         ", \"ack\": " + ack_json(host) + ", \"problem\": " + json_string(host.problem) + "}";
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
  std::string json = "{\"cluster\": " + json_string(cluster) +
                     ", \"primary\": " + (plan != nullptr ? primary_json(*plan) : "null") +
                     ", \"hosts\": [";
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    json += (i == 0 ? "" : ", ") + host_json(hosts[i]);
  }
  const auto warning = plan != nullptr ? stale_view_warning(*plan, hosts) : std::nullopt;
  return json + "], \"stale_view\": " + (warning ? json_string(*warning) : "null") +
         ", \"exit_code\": " + std::to_string(static_cast<int>(code)) +
         ", \"error\": " + json_string(error) + "}\n";
}

}  // namespace pgdeploy
