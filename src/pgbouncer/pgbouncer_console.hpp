#pragma once

#include "pgbouncer/admin_console.hpp"

namespace pgdeploy {

// Reaches PgBouncer's admin console with libpq (dbname=pgbouncer, simple query protocol),
// the connect and every command waiting at most min(-t, time left of the deadline).
class PgBouncerConnector final : public AdminConnector {
 public:
  std::unique_ptr<AdminConsole> connect(const std::string& admin_conninfo,
                                        HostDeadline& deadline) override;
};

}  // namespace pgdeploy
