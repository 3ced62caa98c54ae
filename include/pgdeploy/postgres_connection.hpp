#pragma once

#include <libpq-fe.h>

#include <memory>
#include <string>

#include "pgdeploy/database.hpp"

namespace pgdeploy {

// A libpq connection to the local repmgr database.
class PostgresConnection final : public Database {
 public:
  // Connects; libpq's PG* environment variables apply. connect_timeout defaults to
  // timeout_seconds unless the conninfo or PGCONNECT_TIMEOUT sets it. Throws a metadata error.
  PostgresConnection(const std::string& conninfo, int timeout_seconds);

  QueryResult query(const std::string& sql, const std::vector<std::string>& params) override;
  std::string quote_identifier(std::string_view identifier) override;

 private:
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn_;
};

}  // namespace pgdeploy
