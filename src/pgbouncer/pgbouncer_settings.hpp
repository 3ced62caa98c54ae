#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pgdeploy {

// PgBouncer settings that make a failover slower for clients, read from pgbouncer.ini as
// PgBouncer 1.18 reads it ([pgbouncer] section, last value wins, defaults when absent), each
// with the value to set:
//   server_login_retry (default 15): after a failed connect to the dead old primary the pool
//     waits this long before it tries any server again;
//   server_connect_timeout (default 15): a connect to a host that does not answer waits this
//     long;
//   query_wait_timeout (default 120, 0 = forever): a client waits this long for a server;
//   server_fast_close (default 0): in session pooling, server connections to a target that
//     moved stay until their client leaves unless this is 1.
struct SettingAdvice {
  std::string name;
  std::string value;        // as configured, or the default
  std::string recommended;  // the value to set
  std::string why;
};

// The settings of INI that slow a failover down; empty when none does.
std::vector<SettingAdvice> failover_setting_advice(std::string_view ini);

}  // namespace pgdeploy
