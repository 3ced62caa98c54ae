#pragma once

#include <map>
#include <string>
#include <string_view>

#include "model/endpoint.hpp"

namespace pgdeploy {

// The keywords set in a libpq connection string (key=value form or URI), without defaults.
using ConnInfo = std::map<std::string, std::string>;

// Parses a conninfo with libpq's own parser. Throws std::invalid_argument saying what is wrong
// ("invalid connection string: missing "=" after a keyword") without quoting any of the input:
// a password written without its keyword would be quoted by libpq.
ConnInfo parse_conninfo(const std::string& conninfo);

// Whether libpq reads TEXT, given as a dbname, as a conninfo (a URI, or with a "="); else it
// is a database name.
bool is_connection_string(std::string_view text);

// The network endpoint a conninfo describes: hostaddr (else host) and port (default 5432).
// Everything else (user, dbname, sslmode, ...) is ignored. Throws std::invalid_argument when
// there is no host, several hosts, a Unix socket directory, or an invalid port.
Endpoint endpoint_of(const ConnInfo& conninfo);

// What can be told of a conninfo before connecting: throws like endpoint_of when it names a
// Unix socket or several hosts. A missing host or port is no error here: libpq may take them
// from PGHOST, PGPORT or a service file.
void check_named_host(const ConnInfo& conninfo);

// The conninfo with host, hostaddr and port replaced by ENDPOINT, in key='value' form; every
// other keyword (user, dbname, password, sslmode ...) is kept. Throws like parse_conninfo.
std::string with_endpoint(const std::string& conninfo, const Endpoint& endpoint);

// The conninfo with the password value replaced, safe to log.
std::string redact_conninfo(const std::string& conninfo);

// A libpq error message made safe to log: libpq quotes pieces of a conninfo it cannot parse
// (a whole URI, with its password), so every double-quoted part that looks like one (holds
// '=', '@' or "://") is replaced by "...". Host names stay. Trailing newlines are removed.
std::string scrub_libpq_message(const char* message);

}  // namespace pgdeploy
