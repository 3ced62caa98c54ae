#include "publish/agent_acks.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <thread>

#include "publish/published_state.hpp"

namespace pgdeploy {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// FIELD of OBJECT as text (a number is read as its decimal text), or "" when absent.
std::string text_field(const json& object, const char* field) {
  const auto found = object.find(field);
  if (found == object.end()) {
    return {};
  }
  return found->is_string() ? found->get<std::string>() : found->dump();
}

AgentAck ack_from(const json& value) {
  AgentAck ack;
  const json& epoch = value.at("epoch");
  ack.system_identifier = text_field(epoch, "system_identifier");
  ack.timeline = epoch.at("timeline").get<int>();
  ack.lsn = text_field(epoch, "lsn");
  ack.primary_id = epoch.at("primary_id").get<int>();
  ack.revision = value.value("revision", std::int64_t{0});
  ack.result = value.at("result").get<std::string>();
  ack.reason = value.value("reason", std::string());
  ack.time = value.value("time", std::string());
  if (ack.result != "updated" && ack.result != "unchanged" && ack.result != "refused" &&
      ack.result != "failed") {
    ack.problem = "unknown result " + ack.result;
  }
  return ack;
}

bool succeeded(const AgentAck& ack) { return ack.result == "updated" || ack.result == "unchanged"; }

std::string agent_name(const std::string& key, const std::string& base) {
  return key.substr(base.size());
}

// The acknowledgements a range read found below BASE, by agent name.
std::map<std::string, AgentAck> acks_from(const etcd::RangeResult& read, const std::string& base) {
  std::map<std::string, AgentAck> acks;
  for (const auto& kv : read.kvs) {
    AgentAck ack = parse_agent_ack(kv.value);
    ack.lease = kv.lease;
    acks[agent_name(kv.key, base)] = std::move(ack);
  }
  return acks;
}

// Applies the changes of EVENTS to ACKS.
void apply_events(const std::vector<etcd::WatchEvent>& events, const std::string& base,
                  std::map<std::string, AgentAck>& acks) {
  for (const etcd::WatchEvent& event : events) {
    const std::string name = agent_name(event.kv.key, base);
    if (event.type == etcd::WatchEvent::Type::remove) {
      acks.erase(name);
      continue;
    }
    AgentAck ack = parse_agent_ack(event.kv.value);
    ack.lease = event.kv.lease;
    spdlog::debug("etcd {}{}: {}", base, name,
                  ack.problem.empty() ? describe_ack(ack) : ack.problem);
    acks[name] = std::move(ack);
  }
}

// What a wait waits for: every one of AGENTS acknowledging PLAN as published at REVISION.
struct Awaited {
  const DeployPlan& plan;
  std::int64_t revision;
  const std::vector<AppServer>& agents;
};

bool all_acknowledged(const Awaited& awaited, const std::map<std::string, AgentAck>& acks) {
  return std::ranges::all_of(awaited.agents, [&](const AppServer& agent) {
    const auto found = acks.find(agent.name);
    return found != acks.end() && acknowledges(found->second, awaited.plan, awaited.revision);
  });
}

// Watches BASE from REVISION + 1 until every agent acknowledged or END; false when the watch
// ended early (cancelled or compacted) and the caller must read again.
bool watch_acks(etcd::EtcdClient& client, const std::string& base, std::int64_t revision,
                const Awaited& awaited, Clock::time_point end,
                std::map<std::string, AgentAck>& acks) {
  const auto watch = client.watch({base, true, revision + 1, true, {}});
  while (!all_acknowledged(awaited, acks) && Clock::now() < end) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now());
    const auto message = watch->next(std::max(left, std::chrono::milliseconds(1)));
    if (!message) {
      continue;
    }
    if (message->kind == etcd::WatchResponse::Kind::compacted ||
        message->kind == etcd::WatchResponse::Kind::canceled) {
      spdlog::debug("etcd {}: the watch ended ({}); reading again", base,
                    message->kind == etcd::WatchResponse::Kind::compacted ? "compacted"
                                                                          : message->cancel_reason);
      return false;
    }
    apply_events(message->events, base, acks);
  }
  return true;
}

}  // namespace

AgentAck parse_agent_ack(std::string_view value) {
  const json parsed = json::parse(value, nullptr, false);
  if (!parsed.is_object()) {
    AgentAck ack;
    ack.problem = "not a JSON object";
    return ack;
  }
  try {
    return ack_from(parsed);
  } catch (const json::exception&) {
    AgentAck ack;
    ack.problem = "not an acknowledgement (epoch, result)";
    return ack;
  }
}

bool acknowledges(const AgentAck& ack, const DeployPlan& plan, std::int64_t revision) {
  return ack.problem.empty() && ack.system_identifier == plan.epoch.system_identifier &&
         ack.timeline == plan.epoch.timeline && ack.primary_id == plan.primary.id &&
         ack.revision >= revision;
}

bool ack_current(const AgentAck& ack, const DeployPlan& plan) {
  return acknowledges(ack, plan) && succeeded(ack);
}

std::string describe_ack(const AgentAck& ack) {
  if (!ack.problem.empty()) {
    return "unreadable acknowledgement: " + ack.problem;
  }
  return "node " + std::to_string(ack.primary_id) + ", timeline " + std::to_string(ack.timeline) +
         ", " + ack.result;
}

HostOutcome agent_outcome(const AppServer& agent, const std::optional<AgentAck>& ack,
                          const DeployPlan& plan, std::int64_t revision,
                          std::chrono::seconds waited) {
  HostOutcome outcome{agent.name, agent.address, HostResult::failed, {}, {}, {}};
  const std::string within = " within " + std::to_string(waited.count()) + " s";
  if (!ack) {
    outcome.reason = "agent: no acknowledgement" + within;
  } else if (!acknowledges(*ack, plan, revision)) {
    outcome.reason = "agent: no acknowledgement of timeline " +
                     std::to_string(plan.epoch.timeline) + " of node " +
                     std::to_string(plan.primary.id) + " at revision " + std::to_string(revision) +
                     " or later" + within + "; the last one: " + describe_ack(*ack) +
                     (ack->reason.empty() ? "" : " (" + ack->reason + ")");
  } else if (succeeded(*ack)) {
    outcome.result = ack->result == "updated" ? HostResult::updated : HostResult::unchanged;
  } else {
    outcome.result = ack->result == "refused" ? HostResult::refused : HostResult::failed;
    outcome.reason = "agent: " + ack->result + ": " + ack->reason;
  }
  return outcome;
}

std::map<std::string, AgentAck> read_agent_acks(etcd::EtcdClient& client, const std::string& prefix,
                                                const std::string& cluster) {
  const std::string base = cluster_prefix(prefix, cluster) + agents_dir;
  return acks_from(client.range(base, true), base);
}

std::vector<HostOutcome> wait_for_agents(etcd::EtcdClient& client, const std::string& prefix,
                                         const DeployPlan& plan, std::int64_t revision,
                                         const std::vector<AppServer>& agents,
                                         std::chrono::seconds wait) {
  const std::string base = cluster_prefix(prefix, plan.cluster) + agents_dir;
  const auto started = Clock::now();
  const auto end = started + wait;
  const Awaited awaited{plan, revision, agents};
  std::map<std::string, AgentAck> acks;
  bool read_once = false;
  while (true) {
    try {
      const etcd::RangeResult read = client.range(base, true);
      acks = acks_from(read, base);
      read_once = true;
      if (all_acknowledged(awaited, acks) || Clock::now() >= end ||
          watch_acks(client, base, read.revision, awaited, end, acks)) {
        break;
      }
    } catch (const etcd::EtcdError& e) {
      // A broken watch, an etcd restart or a slow answer: read again while there is time.
      if (Clock::now() >= end) {
        if (!read_once) {
          throw;
        }
        break;
      }
      spdlog::warn("{}; reading the acknowledgements again", e.what());
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }
  std::vector<HostOutcome> outcomes;
  for (const AppServer& agent : agents) {
    const auto found = acks.find(agent.name);
    auto outcome =
        agent_outcome(agent, found == acks.end() ? std::nullopt : std::optional(found->second),
                      plan, revision, wait);
    outcome.duration =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
    outcomes.push_back(std::move(outcome));
  }
  return outcomes;
}

}  // namespace pgdeploy
