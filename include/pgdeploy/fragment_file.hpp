#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pgdeploy/conninfo.hpp"
#include "pgdeploy/fragment.hpp"

namespace pgdeploy {

// What a fragment in place says, read back from its text: the header pgdeploy writes and the
// routes of its [databases] lines. A file written by hand or by another tool has no header.
struct FragmentFile {
  std::string holder;             // "node N (NAME) at HOST:PORT", as its "; Primary: " line says
  std::optional<int> primary_id;  // read from that line
  std::string primary_name;
  std::optional<Endpoint> target;
  std::optional<int> timeline;  // from "; Epoch: timeline N, lsn X"
  std::string lsn;
  std::vector<Route> routes;  // "key = host=H port=P dbname=D ...", in file order
};

// Reads FRAGMENT. Of header lines the first counts, as for the installer's fencing check; lines
// that are neither the header nor a database line are ignored: PgBouncer itself decides what
// the file means.
FragmentFile parse_fragment_file(std::string_view fragment);

// "node 2 (node2) at 10.0.0.12:5432, timeline 2", or "(no pgdeploy header)".
std::string describe_holder(const FragmentFile& file);

}  // namespace pgdeploy
