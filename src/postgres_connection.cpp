#include "pgdeploy/conninfo.hpp"
#include "pgdeploy/postgres_connection.hpp"

#include <cstdlib>
#include <vector>

#include "pgdeploy/errors.hpp"

namespace pgdeploy {
namespace {

using ResultPtr = std::unique_ptr<PGresult, decltype(&PQclear)>;

PGconn* open_connection(const std::string& conninfo, int timeout_seconds) {
  const std::string timeout = std::to_string(timeout_seconds);
  const std::string statement_timeout =
      "-c statement_timeout=" + std::to_string(timeout_seconds * 1000);
  std::vector<const char*> keys{"fallback_application_name"};
  std::vector<const char*> values{"pgdeploy"};
  // Our timeout comes first so that the conninfo (expanded from dbname) can override it;
  // PGCONNECT_TIMEOUT applies only when nothing is given explicitly.
  if (std::getenv("PGCONNECT_TIMEOUT") == nullptr) {
    keys.push_back("connect_timeout");
    values.push_back(timeout.c_str());
  }
  // Bounds every query too: a lock held on repmgr's tables must not stall a failover.
  keys.push_back("options");
  values.push_back(statement_timeout.c_str());
  keys.push_back("dbname");
  values.push_back(conninfo.c_str());
  keys.push_back(nullptr);
  values.push_back(nullptr);
  return PQconnectdbParams(keys.data(), values.data(), 1);
}

QueryResult to_query_result(const PGresult* result) {
  QueryResult rows;
  const int columns = PQnfields(result);
  for (int c = 0; c < columns; ++c) {
    rows.columns.emplace_back(PQfname(result, c));
  }
  for (int r = 0; r < PQntuples(result); ++r) {
    auto& row = rows.rows.emplace_back();
    for (int c = 0; c < columns; ++c) {
      if (PQgetisnull(result, r, c) != 0) {
        row.emplace_back(std::nullopt);
      } else {
        row.emplace_back(std::string(PQgetvalue(result, r, c),
                                     static_cast<std::size_t>(PQgetlength(result, r, c))));
      }
    }
  }
  return rows;
}

}  // namespace

PostgresConnection::PostgresConnection(const std::string& conninfo, int timeout_seconds)
    : conn_(open_connection(conninfo, timeout_seconds), &PQfinish) {
  if (!conn_) {
    throw metadata_error("cannot connect to the repmgr database: out of memory");
  }
  if (PQstatus(conn_.get()) != CONNECTION_OK) {
    // libpq's message names host and port but never the password.
    throw metadata_error("cannot connect to the repmgr database: " +
                         scrub_libpq_message(PQerrorMessage(conn_.get())));
  }
}

QueryResult PostgresConnection::query(const std::string& sql,
                                      const std::vector<std::string>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& param : params) {
    values.push_back(param.c_str());
  }
  ResultPtr result(PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(values.size()),
                                nullptr, values.data(), nullptr, nullptr, 0),
                   &PQclear);
  const ExecStatusType status = PQresultStatus(result.get());
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    throw metadata_error("query on the repmgr database failed: " +
                         scrub_libpq_message(PQerrorMessage(conn_.get())));
  }
  return to_query_result(result.get());
}

std::string PostgresConnection::quote_identifier(std::string_view identifier) {
  const std::string text(identifier);
  char* quoted = PQescapeIdentifier(conn_.get(), text.c_str(), text.size());
  if (quoted == nullptr) {
    throw metadata_error("cannot quote identifier: " + scrub_libpq_message(PQerrorMessage(conn_.get())));
  }
  std::string result(quoted);
  PQfreemem(quoted);
  return result;
}

}  // namespace pgdeploy
