#include "plan/fragment.hpp"

#include <algorithm>
#include <stdexcept>

#include "plan/fragment_format.hpp"
#include "plan/pgbouncer_syntax.hpp"
#include "util/text.hpp"

namespace pgdeploy {
namespace {

std::string required_value(std::string_view value, const std::string& what) {
  auto formatted = format_value(value);
  if (!formatted) {
    throw std::invalid_argument(what +
                                " cannot be written in PgBouncer's syntax (empty or "
                                "holding a control character)");
  }
  return *formatted;
}

// PgBouncer stops loading at port 0 and truncates others to 16 bits: never write one.
void check_port(int port) {
  if (port < 1 || port > 65535) {
    throw std::invalid_argument("port " + std::to_string(port) + " is not a port number");
  }
}

}  // namespace

std::vector<Route> routes_of(const FragmentInput& input) {
  std::vector<std::string> names;
  std::copy_if(input.databases.begin(), input.databases.end(), std::back_inserter(names),
               [](const std::string& name) { return is_representable_database(name); });
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::vector<Route> routes;
  routes.reserve(names.size() * (input.read_only ? 2 : 1));
  for (const std::string& name : names) {
    routes.push_back({name, name, input.target});
  }
  if (input.read_only) {
    for (const std::string& name : names) {
      const std::string key = name + input.read_only->suffix;
      // A real database of that name keeps its key: one line per key, to that database.
      if (is_representable_database(key) && !std::binary_search(names.begin(), names.end(), key)) {
        routes.push_back({key, name, input.read_only->target});
      }
    }
  }
  return routes;
}

std::vector<std::string> shadowed_read_only_keys(const std::vector<std::string>& databases,
                                                 const std::string& suffix) {
  std::vector<std::string> shadowed;
  for (const std::string& name : databases) {
    const std::string key = name + suffix;
    if (is_representable_database(key) &&
        std::find(databases.begin(), databases.end(), key) != databases.end()) {
      shadowed.push_back(key);
    }
  }
  return shadowed;
}

std::optional<std::string> application_name_cut(std::string_view name) {
  if (name.size() <= max_application_name_bytes) {
    return std::nullopt;
  }
  return "application_name is " + std::to_string(name.size()) + " bytes, PostgreSQL keeps " +
         std::to_string(max_application_name_bytes) + ": the fragment has its first " +
         std::to_string(clip_utf8(name, max_application_name_bytes).size());
}

std::string render_fragment(const FragmentInput& input) {
  std::string suffix;  // the same for every line of this host
  if (!input.application_name.empty()) {
    required_value(input.application_name, "application_name");  // the cut part may be clean
    suffix = " application_name=" +
             required_value(clip_utf8(input.application_name, max_application_name_bytes),
                            "application_name");
  }
  required_value(input.target.host, "primary host");  // also with no database to route
  std::string text = render_header(input);
  check_port(input.target.port);
  for (const Route& route : routes_of(input)) {
    check_port(route.target.port);
    text += route.key + " = host=" + required_value(route.target.host, "host") +
            " port=" + std::to_string(route.target.port) + " dbname=" + route.dbname + suffix +
            "\n";
  }
  return text;
}

}  // namespace pgdeploy
