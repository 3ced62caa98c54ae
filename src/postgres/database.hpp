#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "postgres/conninfo.hpp"

namespace pgdeploy {

// The rows of a query, every value in PostgreSQL's text form (NULL as nullopt).
struct QueryResult {
  std::vector<std::string> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;

  // The index of a column; throws std::out_of_range when the query did not return it.
  [[nodiscard]] std::size_t column(std::string_view name) const;
  // The value of a column in a row.
  [[nodiscard]] const std::optional<std::string>& value(std::size_t row,
                                                        std::string_view name) const;
};

// A PostgreSQL connection as the catalog needs it. Values are always bound as parameters.
class Database {
 public:
  virtual ~Database() = default;
  // Runs one statement with text parameters $1..$n. Throws a metadata error on failure.
  virtual QueryResult query(const std::string& sql, const std::vector<std::string>& params) = 0;
  // Quotes an SQL identifier (libpq's escaping on a real connection).
  virtual std::string quote_identifier(std::string_view identifier) = 0;
  // The settings the connection was made with (the conninfo, a service file, PG* variables
  // and libpq's defaults applied): where it really went.
  [[nodiscard]] virtual ConnInfo settings() const = 0;
};

}  // namespace pgdeploy
