#include "postgres/database.hpp"

#include <algorithm>
#include <stdexcept>

namespace pgdeploy {

std::size_t QueryResult::column(std::string_view name) const {
  const auto found = std::find(columns.begin(), columns.end(), name);
  if (found == columns.end()) {
    throw std::out_of_range("query returned no column " + std::string(name));
  }
  return static_cast<std::size_t>(found - columns.begin());
}

const std::optional<std::string>& QueryResult::value(std::size_t row, std::string_view name) const {
  return rows.at(row).at(column(name));
}

}  // namespace pgdeploy
