#include "postgres/postgres_connection.hpp"

#include <cstdlib>
#include <vector>

#include "postgres/conninfo.hpp"
#include "util/errors.hpp"
#include "util/text.hpp"

namespace pgdeploy {
namespace {

// The server options the conninfo asks for (else PGOPTIONS), followed by ours: libpq takes
// one options keyword, the last given, so ours alone would drop the user's and theirs alone
// ours. Of two -c settings of one parameter the server keeps the later.
std::string merged_options(const std::string& conninfo, int timeout_seconds) {
  std::string user;
  if (is_connection_string(conninfo)) {
    const ConnInfo parsed = parse_conninfo(conninfo);
    if (const auto found = parsed.find("options"); found != parsed.end()) {
      user = found->second;
    }
  }
  if (const char* env = std::getenv("PGOPTIONS"); user.empty() && env != nullptr) {
    user = env;
  }
  // The server's own bound fires a little before the client's deadline, so that a server
  // that is merely slow (a lock held on repmgr's tables) ends the query with its own message.
  const std::string ours = "-c statement_timeout=" + std::to_string(timeout_seconds * 800);
  return user.empty() ? ours : user + " " + ours;
}

std::unique_ptr<BoundedConnection> open_connection(const std::string& conninfo,
                                                   int timeout_seconds) {
  const std::string options = merged_options(conninfo, timeout_seconds);
  // A second line behind the client-side deadline: the kernel drops a connection whose data
  // stays unacknowledged that long. Before the conninfo, which may set its own.
  const std::string tcp_user_timeout = std::to_string(timeout_seconds * 1000);
  const std::vector<const char*> keys{"fallback_application_name", "tcp_user_timeout", "dbname",
                                      "options", nullptr};
  const std::vector<const char*> values{"pgdeploy", tcp_user_timeout.c_str(), conninfo.c_str(),
                                        options.c_str(), nullptr};
  return std::make_unique<BoundedConnection>(keys, values, std::chrono::seconds(timeout_seconds));
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

PostgresConnection::PostgresConnection(const std::string& conninfo, int timeout_seconds) {
  try {
    conn_ = open_connection(conninfo, timeout_seconds);
  } catch (const std::exception& e) {
    // An unparsable conninfo (std::invalid_argument) or a LibpqFailure; either message names
    // host and port at most, never the password.
    throw metadata_error("cannot connect to the repmgr database: " + one_line(e.what()));
  }
}

QueryResult PostgresConnection::query(const std::string& sql,
                                      const std::vector<std::string>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& param : params) {
    values.push_back(param.c_str());
  }
  ResultPtr result(nullptr, &PQclear);
  try {
    result = conn_->run([&](PGconn* conn) {
      return PQsendQueryParams(conn, sql.c_str(), static_cast<int>(values.size()), nullptr,
                               values.data(), nullptr, nullptr, 0);
    });
  } catch (const LibpqFailure& e) {
    throw metadata_error(std::string("query on the repmgr database failed: ") + e.what());
  }
  const ExecStatusType status = PQresultStatus(result.get());
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    throw metadata_error("query on the repmgr database failed: " +
                         scrub_libpq_message(PQresultErrorMessage(result.get())));
  }
  return to_query_result(result.get());
}

std::string PostgresConnection::quote_identifier(std::string_view identifier) {
  const std::string text(identifier);
  char* quoted = PQescapeIdentifier(conn_->get(), text.c_str(), text.size());
  if (quoted == nullptr) {
    throw metadata_error("cannot quote identifier: " +
                         scrub_libpq_message(PQerrorMessage(conn_->get())));
  }
  std::string result(quoted);
  PQfreemem(quoted);
  return result;
}

ConnInfo PostgresConnection::settings() const { return conn_->settings(); }

}  // namespace pgdeploy
