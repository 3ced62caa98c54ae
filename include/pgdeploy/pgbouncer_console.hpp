#pragma once

#include "pgdeploy/admin_console.hpp"

namespace pgdeploy {

// Reaches PgBouncer's admin console with libpq (dbname=pgbouncer, simple query protocol),
// every call bounded by the timeout.
class PgBouncerConnector final : public AdminConnector {
 public:
  explicit PgBouncerConnector(int timeout_seconds) : timeout_seconds_(timeout_seconds) {}
  std::unique_ptr<AdminConsole> connect(const std::string& admin_conninfo) override;

 private:
  int timeout_seconds_;
};

}  // namespace pgdeploy
