#include "app/agent_program.hpp"

#include "agent/agent.hpp"
#include "cli/build_token.hpp"
#include "cli/core_program.hpp"
#include "cli/front.hpp"
#include "pgbouncer/pgbouncer_console.hpp"
#include "publish/etcd_settings.hpp"
#include "util/errors.hpp"

namespace pgdeploy {

int run_agent_command(const Options& options) {
  PgBouncerConnector admin;
  etcd::EtcdClient client(etcd_settings(options.etcd),
                          TimeLimits::operations_only(limits_for(options).operation));
  return static_cast<int>(run_agent(options, client, admin));
}

int run_agent_program(int argc, const char* const* argv) {
  const CommandLine command_line = start_run(argc, argv);
  check_front_end_build(build_token);
  if (command_line.early_end != EarlyEnd::none) {
    return static_cast<int>(ExitCode::ok);
  }
  if (command_line.options.command != Command::agent) {
    throw usage_error("this is the agent program, which runs only `pgdeploy agent`: run pgdeploy");
  }
  return run_agent_command(command_line.options);
}

}  // namespace pgdeploy
