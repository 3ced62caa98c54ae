#include "deploy/include_check.hpp"

#include <spdlog/spdlog.h>

#include "pgbouncer/pgbouncer_include.hpp"
#include "ssh/remote_install.hpp"
#include "util/text.hpp"

namespace pgdeploy {

std::optional<std::string> unserved_fragment(RemoteHost& remote, const AppServer& host,
                                             const std::string& fragment_path) {
  const CommandResult ini = run_remote(remote, read_file_script(host.pgbouncer_ini));
  if (ini.exit_status != 0) {
    spdlog::debug("{}: whether PgBouncer includes {} is unknown: {}", host.name, fragment_path,
                  one_line(ini.errors));
    return std::nullopt;
  }
  switch (find_include(ini.output, fragment_path)) {
    case IncludePlace::in_databases:
      return std::nullopt;
    case IncludePlace::other_section:
      return "PgBouncer does not serve the fragment: " + host.pgbouncer_ini + " includes " +
             fragment_path + " outside [databases]";
    case IncludePlace::absent:
      break;
  }
  return "PgBouncer does not serve the fragment: " + host.pgbouncer_ini + " has no `%include " +
         fragment_path + "` (add it under [databases], then reload PgBouncer)";
}

}  // namespace pgdeploy
