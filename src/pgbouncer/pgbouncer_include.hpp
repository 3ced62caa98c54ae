#pragma once

#include <string>
#include <string_view>

namespace pgdeploy {

// Where PgBouncer's main configuration includes a file.
enum class IncludePlace {
  in_databases,   // %include PATH under [databases]: its lines become databases
  other_section,  // %include PATH, but under another section (or before any)
  absent          // no %include of PATH at all
};

// Finds `%include PATH` in INI as PgBouncer 1.18 reads it: sections are `[name]` lines,
// `;` and `#` start comments, and an included file's lines belong to the section in force
// where it is included (the fragments pgdeploy writes have no section header of their own).
IncludePlace find_include(std::string_view ini, std::string_view path);

}  // namespace pgdeploy
