#include "publish/published_state.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace pgdeploy {
namespace {

using nlohmann::json;

json node_json(const Node& node, const Endpoint& endpoint) {
  return {{"id", node.id}, {"name", node.name}, {"host", endpoint.host}, {"port", endpoint.port}};
}

json epoch_json(const DeployPlan& plan) {
  return {{"system_identifier", plan.epoch.system_identifier},
          {"timeline", plan.epoch.timeline},
          {"lsn", plan.epoch.lsn},
          {"primary", {{"id", plan.primary.id}, {"name", plan.primary.name}}}};
}

json databases_json(const DeployPlan& plan) {
  json standbys = json::array();
  for (const Standby& standby : plan.standbys) {
    json entry = node_json(standby.node, standby.endpoint);
    entry["location"] = standby.location;
    standbys.push_back(entry);
  }
  return {{"names", plan.databases},
          {"ro_suffix", plan.ro_suffix ? json(*plan.ro_suffix) : json(nullptr)},
          {"standbys", standbys}};
}

json app_server_json(const AppServer& host) {
  return {{"name", host.name},
          {"application_name", host.application_name},
          {"config_dir", host.config_dir},
          {"location", host.location},
          {"auth_trust", host.auth_trust}};
}

// An epoch value without its LSN, for comparing; unreadable values stay as they are.
std::string without_lsn(const std::string& value) {
  json parsed = json::parse(value, nullptr, false);
  if (!parsed.is_object()) {
    return value;
  }
  parsed.erase("lsn");
  return parsed.dump();
}

}  // namespace

std::string cluster_prefix(const std::string& prefix, const std::string& cluster) {
  std::string base = prefix;
  while (!base.empty() && base.back() == '/') {
    base.pop_back();
  }
  return base + "/" + cluster + "/";
}

std::map<std::string, std::string> state_values(const DeployPlan& plan,
                                                const std::vector<AppServer>& hosts) {
  std::map<std::string, std::string> values{
      {epoch_key, epoch_json(plan).dump()},
      {primary_key, node_json(plan.primary, plan.target).dump()},
      {databases_key, databases_json(plan).dump()}};
  for (const AppServer& host : hosts) {
    values[app_servers_dir + host.name] = app_server_json(host).dump();
  }
  return values;
}

FragmentHeader parse_stored_epoch(std::string_view value) {
  FragmentHeader held;
  held.has_header = true;
  const json parsed = json::parse(value, nullptr, false);
  const bool readable = parsed.is_object() && parsed.contains("timeline") &&
                        parsed["timeline"].is_number_integer() &&
                        parsed.value("system_identifier", json()).is_string() &&
                        parsed.value("primary", json()).is_object() &&
                        parsed["primary"].value("id", json()).is_number_integer() &&
                        parsed["primary"].value("name", json()).is_string();
  if (!readable) {
    held.header_problem = "its value is not an epoch pgdeploy wrote";
    return held;
  }
  held.timeline = parsed["timeline"].get<int>();
  held.system_identifier = parsed["system_identifier"].get<std::string>();
  held.lsn = parsed.value("lsn", std::string());
  held.primary_id = parsed["primary"]["id"].get<int>();
  held.primary_name = parsed["primary"]["name"].get<std::string>();
  held.holder = describe(Node{*held.primary_id, held.primary_name, {}});
  return held;
}

bool same_state(const std::map<std::string, std::string>& stored,
                const std::map<std::string, std::string>& wanted) {
  return stored.size() == wanted.size() && std::ranges::all_of(wanted, [&](const auto& entry) {
           const auto found = stored.find(entry.first);
           return found != stored.end() &&
                  (entry.first == epoch_key
                       ? without_lsn(found->second) == without_lsn(entry.second)
                       : found->second == entry.second);
         });
}

}  // namespace pgdeploy
