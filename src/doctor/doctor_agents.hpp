#pragma once

#include <vector>

#include "cli/options.hpp"
#include "etcd/etcd_client.hpp"
#include "model/app_server.hpp"
#include "report/checklist.hpp"

namespace pgdeploy {

// The checks of pull mode, appended to ITEMS: with ETCD (--etcd), that etcd answers, that the
// cluster's prefix is writable (a probe key put and deleted) and that every one of AGENTS (the
// enabled rows with delivery agent) has a live acknowledgement; without, a failure naming the
// agent rows, which nothing would deliver to. Nothing when there is neither.
void check_agents(const Options& options, etcd::EtcdClient* etcd,
                  const std::vector<AppServer>& agents, std::vector<CheckItem>& items);

}  // namespace pgdeploy
