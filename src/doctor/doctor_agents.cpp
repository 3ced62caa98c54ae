#include "doctor/doctor_agents.hpp"

#include <map>

#include "plan/planner.hpp"
#include "publish/agent_acks.hpp"
#include "publish/published_state.hpp"

namespace pgdeploy {
namespace {

// The key doctor writes and deletes to prove the prefix writable; no agent reads it.
constexpr const char* probe_key = "doctor-probe";

void append_items(std::vector<CheckItem>& items, Checklist& list) {
  items.insert(items.end(), list.items().begin(), list.items().end());
}

// Puts and deletes the probe key below BASE.
void probe_write(etcd::EtcdClient& etcd, const std::string& base) {
  etcd.put(base + probe_key, "pgdeploy doctor");
  etcd::Transaction remove;
  remove.success.push_back({etcd::Operation::Kind::remove, base + probe_key, {}, 0, false});
  etcd.txn(remove);
}

// The items of one agent row from its acknowledgement ACK (nullopt: none).
void check_ack(const AppServer& agent, const std::optional<AgentAck>& ack, const Options& options,
               std::vector<CheckItem>& items) {
  Checklist list(agent.name + " (" + agent.address + ", agent)");
  const std::string item = "its agent acknowledges on a live lease";
  const std::string start = "start pgdeploy-agent@" + options.cluster + " on " + agent.name +
                            " with --name " + agent.name + " and the same --etcd";
  if (!ack) {
    list.fail(item, "no acknowledgement: its agent never wrote one, or its lease expired", start);
  } else if (!ack->problem.empty()) {
    list.fail(item, describe_ack(*ack), "check what wrote it; " + start);
  } else if (ack->result == "failed" || ack->result == "refused") {
    list.fail(item, describe_ack(*ack) + ": " + ack->reason + " (" + ack->time + ")",
              "read the agent's log on " + agent.name);
  } else {
    list.pass(item, describe_ack(*ack) + " (" + ack->time + ")");
  }
  append_items(items, list);
}

}  // namespace

void check_agents(const Options& options, etcd::EtcdClient* etcd,
                  const std::vector<AppServer>& agents, std::vector<CheckItem>& items) {
  if (etcd == nullptr) {
    if (!agents.empty()) {
      Checklist list("etcd");
      list.fail("the agent rows are delivered",
                "no --etcd: nothing publishes for " + names_of(agents),
                "pass --etcd URL[,URL...] (or etcd = in the configuration file), as the hook does");
      append_items(items, list);
    }
    return;
  }
  Checklist list("etcd");
  const std::string base = cluster_prefix(options.etcd.prefix, options.cluster);
  std::map<std::string, AgentAck> acks;
  try {
    acks = read_agent_acks(*etcd, options.etcd.prefix, options.cluster);
    list.pass("answers", etcd->endpoints().front());
  } catch (const etcd::EtcdError& e) {
    list.fail("answers", e.what(), "start etcd, or pass its URLs with --etcd");
    append_items(items, list);
    return;
  }
  try {
    probe_write(*etcd, base);
    list.pass("the prefix is writable", base + probe_key + " put and deleted");
  } catch (const etcd::EtcdError& e) {
    list.fail("the prefix is writable", e.what(),
              "grant this node's etcd user readwrite on " + base + " (README: Publishing to etcd)");
  }
  append_items(items, list);
  for (const AppServer& agent : agents) {
    const auto found = acks.find(agent.name);
    check_ack(agent, found == acks.end() ? std::nullopt : std::optional(found->second), options,
              items);
  }
}

}  // namespace pgdeploy
