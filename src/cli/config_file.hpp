#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgdeploy {

// The configuration file read when --config does not name one, if it exists.
inline constexpr const char* default_config_path = "/etc/pgdeploy.ini";

// The key of [pgdeploy] that names the cluster of a run without -c.
inline constexpr const char* default_cluster_key = "cluster";

// One `key = value` line of the configuration file; KEY is meant to be a long option.
struct ConfigEntry {
  std::string key;
  std::string value;
  int line;  // 1-based, in the file

  bool operator==(const ConfigEntry&) const = default;
};

// Parses configuration TEXT (INI, read with inih): the entries of [pgdeploy], then those of
// [cluster CLUSTER], each in file order; other [cluster NAME] sections are skipped. Values are
// taken literally after trimming (quotes are kept); `;` or `#` starts a comment line, and ` ;`
// starts a comment after a value. Keys may be indented: an indented line is never the
// continuation of the previous value. Throws a usage error "ORIGIN:LINE: ..." for a line that
// is neither a section, a `key = value` nor a comment, a line longer than the parser's limit
// (198 characters), an unknown section, a key outside any section, or `cluster` in a
// [cluster NAME] section. Other keys are not checked.
std::vector<ConfigEntry> parse_config_text(std::string_view text, const std::string& origin,
                                           const std::string& cluster);

// Reads the configuration file at PATH as parse_config_text does. Throws a usage error naming
// PATH when it cannot be read.
std::vector<ConfigEntry> read_config_file(const std::filesystem::path& path,
                                          const std::string& cluster);

// The cluster a run without -c is for: `cluster = NAME` in [pgdeploy] of the file at PATH (the
// last one), nullopt when it has none. Throws a usage error naming PATH:LINE for a name that is
// not [A-Za-z0-9_-]+, and as read_config_file does.
std::optional<std::string> read_default_cluster(const std::filesystem::path& path);

}  // namespace pgdeploy
