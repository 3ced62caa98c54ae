#include "metadata/userlist.hpp"

#include <algorithm>

namespace pgdeploy {
namespace {

// A userlist field: double quotes around it, a double quote doubled.
std::string quoted_field(const std::string& text) {
  std::string quoted = "\"";
  for (const char c : text) {
    quoted += c;
    if (c == '"') {
      quoted += '"';
    }
  }
  return quoted + "\"";
}

bool has_control(const std::string& text) {
  return std::any_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

}  // namespace

std::string userlist_from(Database& db) {
  const QueryResult rows = db.query(
      "SELECT usename::text, passwd FROM pg_catalog.pg_shadow WHERE passwd IS NOT NULL"
      " ORDER BY usename",
      {});
  std::string userlist;
  for (const auto& row : rows.rows) {
    const std::string user = row.at(0).value_or("");
    const std::string password = row.at(1).value_or("");
    if (!has_control(user) && !has_control(password)) {
      userlist += quoted_field(user) + " " + quoted_field(password) + "\n";
    }
  }
  return userlist;
}

}  // namespace pgdeploy
