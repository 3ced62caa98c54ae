#pragma once

#include <set>
#include <string>
#include <vector>

#include "model/app_server.hpp"
#include "postgres/database.hpp"

namespace pgdeploy {

// Builds the SELECT for an app_servers table with the given columns: the original agent's
// columns in either spelling (node_id/id, node_name/name) and the optional new ones, absent
// columns as NULL. Throws a metadata error when a required column is missing.
std::string app_servers_query(const std::string& qualified_table,
                              const std::set<std::string>& columns);

// Converts the rows of app_servers_query into app servers, applying the defaults.
std::vector<AppServer> app_servers_from(const QueryResult& result);

// Reads the column names of a table; qualified_table is quoted, as for ::regclass.
std::set<std::string> table_columns(Database& db, const std::string& qualified_table);

}  // namespace pgdeploy
