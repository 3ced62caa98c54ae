#include "app/connectors.hpp"

#include <spdlog/spdlog.h>

#include "postgres/conninfo.hpp"
#include "postgres/postgres_connection.hpp"

namespace pgdeploy {

Connectors::Connectors(const Options& options)
    : database_([timeout = options.timeout_seconds](const std::string& target) {
        spdlog::debug("connecting to {}", redact_conninfo(target));
        return std::make_unique<PostgresConnection>(target, timeout);
      }) {}

HostConnector& Connectors::ssh(const SshFiles& files) {
  if (!ssh_) {
    ssh_.emplace(files.key, files.known_hosts);
  }
  return *ssh_;
}

HostConnectorLoader Connectors::ssh_loader() {
  return [this](const std::filesystem::path& key,
                const std::filesystem::path& known_hosts) -> HostConnector& {
    return ssh({key, known_hosts});
  };
}

}  // namespace pgdeploy
