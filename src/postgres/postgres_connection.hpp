#pragma once

#include <memory>
#include <string>

#include "postgres/bounded_connection.hpp"
#include "postgres/database.hpp"

namespace pgdeploy {

// A libpq connection to a node of the cluster. Set-up and every query end within
// timeout_seconds on the client's side, whatever the conninfo, PGCONNECT_TIMEOUT or the server
// do; the server also gets a statement_timeout just below it, added to any options the
// conninfo (or PGOPTIONS) gives.
class PostgresConnection final : public Database {
 public:
  // Connects; libpq's PG* environment variables and service files apply. Throws a metadata
  // error, naming host and port when the server did not answer in time.
  PostgresConnection(const std::string& conninfo, int timeout_seconds);

  QueryResult query(const std::string& sql, const std::vector<std::string>& params) override;
  std::string quote_identifier(std::string_view identifier) override;
  [[nodiscard]] ConnInfo settings() const override;

 private:
  std::unique_ptr<BoundedConnection> conn_;
};

}  // namespace pgdeploy
