#pragma once

// The agents' acknowledgements, one JSON value per agent at PREFIX/CLUSTER/agents/NAME on the
// agent's lease (README: "Publishing to etcd"):
//   {"epoch": {"system_identifier", "timeline", "lsn", "primary_id"}, "revision": N,
//    "result": "updated"|"unchanged"|"refused"|"failed", "reason": "...", "time": "..."}
// A lease that expired took the key with it: no key, no acknowledgement.

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "etcd/etcd_client.hpp"
#include "model/agent_ack.hpp"
#include "model/app_server.hpp"
#include "model/outcome.hpp"
#include "plan/deploy_plan.hpp"
#include "publish/published_state.hpp"

namespace pgdeploy {

// VALUE as an acknowledgement; problem set when it is not one.
AgentAck parse_agent_ack(std::string_view value);

// True when ACK is about PLAN's epoch: the same system, timeline and primary (the LSN aside),
// and of the state published at REVISION or later (0: any), so that an acknowledgement written
// before a publish that changed only the routes does not count for it.
bool acknowledges(const AgentAck& ack, const DeployPlan& plan, std::int64_t revision = 0);

// True when ACK is about PLAN's epoch and says the fragment is in place (updated, unchanged).
bool ack_current(const AgentAck& ack, const DeployPlan& plan);

// "node 2, timeline 3, updated": the epoch and result of ACK, for reports.
std::string describe_ack(const AgentAck& ack);

// The outcome of AGENT as its acknowledgement ACK (nullopt: none) tells it against PLAN published
// at REVISION, after a wait of WAITED for it.
HostOutcome agent_outcome(const AppServer& agent, const std::optional<AgentAck>& ack,
                          const DeployPlan& plan, std::int64_t revision,
                          std::chrono::seconds waited);

// Every acknowledgement of the cluster's agents by agent name, read with CLIENT.
std::map<std::string, AgentAck> read_agent_acks(etcd::EtcdClient& client, const std::string& prefix,
                                                const std::string& cluster);

// Waits, at most WAIT, until every one of AGENTS has acknowledged PLAN's epoch as published at
// REVISION (publish_state's) or later, whatever the result, watching PREFIX/CLUSTER/agents/ from
// the revision it first read; reads again when the watch breaks, is cancelled or compacted. Returns
// one outcome per agent, in AGENTS' order. Throws etcd::EtcdError when etcd cannot be read at all.
std::vector<HostOutcome> wait_for_agents(etcd::EtcdClient& client, const std::string& prefix,
                                         const DeployPlan& plan, std::int64_t revision,
                                         const std::vector<AppServer>& agents,
                                         std::chrono::seconds wait);

}  // namespace pgdeploy
