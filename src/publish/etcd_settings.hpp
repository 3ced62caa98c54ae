#pragma once

#include "cli/options.hpp"
#include "etcd/etcd_client.hpp"

namespace pgdeploy {

// The client settings the --etcd options name, the password read from --etcd-password-file
// (its first line). Throws a usage error when that file cannot be read or is empty.
etcd::EtcdSettings etcd_settings(const EtcdOptions& options);

}  // namespace pgdeploy
