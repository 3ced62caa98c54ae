#include "publish/published_state.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "etcd/etcd_json.hpp"

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

// The JSON value at KEY; throws StateProblem when it is missing or not a JSON object.
json object_at(const std::map<std::string, std::string>& values, const std::string& key,
               const std::string& prefix_text) {
  const auto found = values.find(key);
  if (found == values.end()) {
    throw StateProblem(prefix_text + key + " is missing: has pgdeploy published this cluster?");
  }
  json parsed = json::parse(found->second, nullptr, false);
  if (!parsed.is_object()) {
    throw StateProblem(prefix_text + key + " is not a JSON object pgdeploy wrote");
  }
  return parsed;
}

Endpoint endpoint_of(const json& value) {
  return {value.at("host").get<std::string>(), value.at("port").get<int>()};
}

Node node_of(const json& value) {
  return {value.at("id").get<int>(), value.at("name").get<std::string>(), {}};
}

void read_epoch(const json& value, DeployPlan& plan) {
  plan.epoch = {value.at("timeline").get<int>(), value.at("lsn").get<std::string>(),
                value.at("system_identifier").get<std::string>()};
  plan.primary = node_of(value.at("primary"));
}

void read_primary(const json& value, DeployPlan& plan) {
  if (node_of(value).id != plan.primary.id) {
    throw std::invalid_argument("names another node than the epoch");
  }
  plan.target = endpoint_of(value);
}

void read_databases(const json& value, DeployPlan& plan) {
  plan.databases = value.at("names").get<std::vector<std::string>>();
  const json& suffix = value.at("ro_suffix");
  plan.ro_suffix = suffix.is_null() ? std::nullopt : std::optional(suffix.get<std::string>());
  for (const json& standby : value.at("standbys")) {
    plan.standbys.push_back(
        {node_of(standby), endpoint_of(standby), standby.at("location").get<std::string>()});
  }
}

AppServer app_server_of(const json& value) {
  AppServer host;
  host.name = value.at("name").get<std::string>();
  host.application_name = value.at("application_name").get<std::string>();
  host.config_dir = value.at("config_dir").get<std::string>();
  host.location = value.at("location").get<std::string>();
  host.auth_trust = value.at("auth_trust").get<bool>();
  return host;
}

// Runs READ on the object at KEY, turning every field missing or of another type into a
// StateProblem naming the key.
template <typename Read>
void read_value(const std::map<std::string, std::string>& values, const std::string& key,
                const std::string& prefix_text, Read read) {
  const json value = object_at(values, key, prefix_text);
  try {
    read(value);
  } catch (const std::exception& e) {
    throw StateProblem(prefix_text + key + " is not what pgdeploy writes: " + e.what());
  }
}

}  // namespace

PublishedState parse_published_state(const std::map<std::string, std::string>& values,
                                     const std::string& cluster, const std::string& name,
                                     const std::string& prefix_text) {
  PublishedState state;
  state.plan.cluster = cluster;
  read_value(values, epoch_key, prefix_text, [&](const json& v) { read_epoch(v, state.plan); });
  read_value(values, primary_key, prefix_text, [&](const json& v) { read_primary(v, state.plan); });
  read_value(values, databases_key, prefix_text,
             [&](const json& v) { read_databases(v, state.plan); });
  const std::string row = app_servers_dir + name;
  if (values.find(row) == values.end()) {
    throw StateProblem(prefix_text + row +
                       " is missing: no enabled app_servers row has node_name " + name +
                       " (--name)");
  }
  read_value(values, row, prefix_text, [&](const json& v) { state.host = app_server_of(v); });
  if (state.host.name != name) {
    throw StateProblem(prefix_text + row + " names another app server: " + state.host.name);
  }
  return state;
}

KeyRange published_range(const std::string& base) {
  return {etcd::prefix_end(base + agents_dir), etcd::prefix_end(base)};
}

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
