#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "deploy/host_deployer.hpp"
#include "model/app_server.hpp"

namespace pgdeploy {

// A record of this node's last deploy that reached every app server. repmgr raises two events
// for one failover on each node (standby_promote then repmgrd_failover_promote,
// standby_follow then repmgrd_failover_follow) and tells the followers to follow only after
// the second hook returns: when nothing changed in between, the second run need not open a
// single SSH connection.
//
// The record is a fingerprint of everything a deploy sends (the plan without the LSN, every
// enabled host's row, the extra files) and the time it was written, kept in one file beside
// the run lock, written atomically.

// The fingerprint of deploying PLAN to HOSTS: 16 hex digits.
std::string deploy_fingerprint(const DeployPlan& plan, const std::vector<AppServer>& hosts);

// True when PATH records FINGERPRINT, written less than MAX_AGE ago.
bool recently_deployed(const std::filesystem::path& path, const std::string& fingerprint,
                       std::chrono::seconds max_age);

// Records FINGERPRINT in PATH (a temporary file renamed over it). Failures are logged at debug
// level: the record only saves work.
void remember_deploy(const std::filesystem::path& path, const std::string& fingerprint);

// Removes the record: after a run that did not reach every host, the next event must push.
void forget_deploy(const std::filesystem::path& path);

}  // namespace pgdeploy
