#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/endpoint.hpp"
#include "plan/fragment.hpp"
#include "plan/fragment_format.hpp"

namespace pgdeploy {

// What a fragment in place says, read back from its text: the header pgdeploy writes
// (fragment_format.hpp) and the routes of its [databases] lines.
struct FragmentFile : FragmentHeader {
  std::vector<Route> routes;  // "key = host=H port=P dbname=D ...", in file order
};

// Reads FRAGMENT: its header with parse_header, and its database lines. Lines that are neither
// the header nor a database line are ignored: PgBouncer itself decides what the file means.
FragmentFile parse_fragment_file(std::string_view fragment);

}  // namespace pgdeploy
