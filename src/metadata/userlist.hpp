#pragma once

#include <string>

#include "postgres/database.hpp"

namespace pgdeploy {

// PgBouncer's auth_file lines ("user" "password hash") from pg_shadow, which needs a superuser.
// Roles without a password, or with a control character in the name, are left out. Throws a
// metadata error when pg_shadow cannot be read.
std::string userlist_from(Database& db);

}  // namespace pgdeploy
