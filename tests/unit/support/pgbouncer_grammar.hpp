#pragma once

// An independent reading of what PgBouncer 1.18 accepts in a file %include'd into its
// [databases] section, written from PgBouncer's grammar (not from the renderer), and stricter
// where a construct would be legal for PgBouncer but is never what pgdeploy may produce
// (the '*' fallback, tabs, section headers, directives).

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace pgdeploy::grammar {

// Connection parameters of one database line: parameter name -> value with quoting removed.
using Parameters = std::map<std::string, std::string>;

// Why a fragment is rejected, and where (1-based line number).
struct FragmentError {
  std::size_t line = 0;
  std::string message;
};

// What a valid fragment defines.
struct ParsedFragment {
  std::map<std::string, Parameters> entries;  // database name (key) -> its parameters
  std::vector<std::string> comments;          // every comment line, without its '\n'
  std::vector<std::string> header;            // the comment lines before the first database line
};

// Either the first error found, or everything the fragment defines.
using FragmentResult = std::variant<FragmentError, ParsedFragment>;

// Checks TEXT, a whole [databases] fragment:
//  - lines end with '\n' (so does the file; an empty file is rejected); no '\r', NUL, tab or
//    other control character (0x00-0x1f, 0x7f) anywhere but the line ends;
//  - empty lines and lines starting with ';' or '#' are comments; lines starting with '[' or
//    '%' (section headers, directives) are errors;
//  - every other line is `KEY = VALUE` (spaces around '=' optional): KEY as key_error() allows,
//    each KEY at most once; VALUE is one or more `param=value` pairs separated by spaces, param
//    one of PgBouncer's connection parameters, each at most once, value plain (no space, no
//    quote) or single-quoted with '' for a quote, never empty; port is 1..65535 in decimal.
FragmentResult check_fragment(std::string_view text);

// nullopt when KEY may name a database in a fragment (1..63 bytes of [A-Za-z0-9_.-], not
// "pgbouncer"), else why not. '*' is refused: PgBouncer takes it as the fallback entry for
// every unknown database, which a fragment must never define.
std::optional<std::string> key_error(std::string_view key);

// True when NAME is one of the connection parameters PgBouncer 1.18 accepts.
bool is_connection_parameter(std::string_view name);

// "line N: message", or a one-line summary of a parsed fragment; for test diagnostics.
std::string describe(const FragmentResult& result);

// TEXT as a double-quoted C++ string literal: printable ASCII as is, everything else escaped,
// so a failing input can be pasted back into a test.
std::string escaped(std::string_view text);

}  // namespace pgdeploy::grammar
