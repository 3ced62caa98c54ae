#pragma once

#include <optional>
#include <string>

#include "model/app_server.hpp"
#include "ssh/remote_host.hpp"

namespace pgdeploy {

// Why PgBouncer on HOST does not serve the fragment at FRAGMENT_PATH, read from HOST's
// pgbouncer_ini over REMOTE: it has no `%include FRAGMENT_PATH`, or has it outside [databases].
// nullopt when it does, and when the file cannot be read (then nobody can tell; doctor says why).
// A fragment PgBouncer does not include routes nothing, however current it is.
std::optional<std::string> unserved_fragment(RemoteHost& remote, const AppServer& host,
                                             const std::string& fragment_path);

}  // namespace pgdeploy
