#include "pgbouncer/pgbouncer_include.hpp"

#include "util/text.hpp"

namespace pgdeploy {

IncludePlace find_include(std::string_view ini, std::string_view path) {
  constexpr std::string_view directive = "%include";
  std::string section;
  IncludePlace found = IncludePlace::absent;
  for (const std::string_view each : split_lines(ini)) {
    const std::string_view line = trim(each);
    if (line.starts_with('[') && line.ends_with(']')) {
      section = std::string(trim(line.substr(1, line.size() - 2)));
    } else if (line.starts_with(directive) && line.size() > directive.size() &&
               (line[directive.size()] == ' ' || line[directive.size()] == '\t') &&
               trim(line.substr(directive.size())) == path) {
      if (section == "databases") {
        return IncludePlace::in_databases;
      }
      found = IncludePlace::other_section;
    }
  }
  return found;
}

}  // namespace pgdeploy
